export const indexerErrorCodes = ['INVALID_EVENT'] as const;
export type IndexerErrorCode = (typeof indexerErrorCodes)[number];

/** Base error of the indexer; invalid events are not retriable and go to the DLQ. */
export class IndexerError extends Error {
  readonly code: IndexerErrorCode;
  readonly retriable = false;
  constructor(code: IndexerErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'IndexerError';
    this.code = code;
  }
}
