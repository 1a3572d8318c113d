export const chunkingErrorCodes = [
  'UNSUPPORTED_CONTENT_TYPE',
  'UNKNOWN_POLICY',
  'EMPTY_CONTENT',
  'BUDGET_TOO_SMALL',
] as const;
export type ChunkingErrorCode = (typeof chunkingErrorCodes)[number];

/**
 * Base error of the chunking package. Every code describes bad input (a content type, a policy
 * name, a document that normalizes to nothing, a title that leaves no room under the model's
 * token limit), so none is retriable: a redelivery would fail the same way and belongs in the DLQ.
 * `EMPTY_CONTENT` is for callers: `chunkDocument` returns no chunks and lets them decide.
 */
export class ChunkingError extends Error {
  readonly code: ChunkingErrorCode;
  readonly retriable = false;
  constructor(code: ChunkingErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ChunkingError';
    this.code = code;
  }
}
