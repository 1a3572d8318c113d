export const chunkEmbedErrorCodes = ['INVALID_EVENT', 'DOCUMENT_TOO_LARGE'] as const;
export type ChunkEmbedErrorCode = (typeof chunkEmbedErrorCodes)[number];

/** Base error of the chunk/embed worker; its errors describe bad events and are not retriable. */
export class ChunkEmbedError extends Error {
  readonly code: ChunkEmbedErrorCode;
  readonly retriable = false;
  constructor(code: ChunkEmbedErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ChunkEmbedError';
    this.code = code;
  }
}
