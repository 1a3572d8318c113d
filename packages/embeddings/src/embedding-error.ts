export const embeddingErrorCodes = [
  'INVALID_CONFIG',
  'MODEL_LOAD_FAILED',
  'MODEL_CALL_FAILED',
  'RATE_LIMITED',
  'INVALID_RESPONSE',
  'CLOSED',
] as const;
export type EmbeddingErrorCode = (typeof embeddingErrorCodes)[number];

export interface EmbeddingErrorOptions {
  retriable?: boolean;
  cause?: unknown;
  /** HTTP status of a remote provider's answer, when there was one. */
  status?: number;
  /** Delay the provider asked for (429 `Retry-After`), in milliseconds. */
  retryAfterMs?: number;
}

/**
 * Base error of the embeddings package. `retriable` is true for rate limits, 5xx answers and
 * network failures: the same call may succeed later, so consumers retry instead of dead-lettering.
 */
export class EmbeddingError extends Error {
  readonly code: EmbeddingErrorCode;
  readonly retriable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(code: EmbeddingErrorCode, message: string, options: EmbeddingErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'EmbeddingError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
