export const retrieverErrorCodes = ['INVALID_REQUEST', 'REPLY_TOPIC_NOT_ALLOWED'] as const;
export type RetrieverErrorCode = (typeof retrieverErrorCodes)[number];

/** Base error of the retriever; its errors describe bad requests and are not retriable. */
export class RetrieverError extends Error {
  readonly code: RetrieverErrorCode;
  readonly retriable = false;
  constructor(code: RetrieverErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RetrieverError';
    this.code = code;
  }
}
