export const storeErrorCodes = ['MIGRATION_FAILED', 'EXTENSION_MISSING', 'TENANT_REQUIRED', 'QUERY_FAILED', 'INVALID_GENERATION', 'GENERATION_CONFLICT'] as const;
export type StoreErrorCode = (typeof storeErrorCodes)[number];

/** Base error of the store package. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly retriable: boolean;
  constructor(code: StoreErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}
