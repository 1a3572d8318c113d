export const retrievalErrorCodes = ['INVALID_FILTER', 'INVALID_REQUEST', 'SEARCH_FAILED'] as const;
export type RetrievalErrorCode = (typeof retrievalErrorCodes)[number];

/** Base error of the retrieval package; `retriable` says whether the same request may succeed later. */
export class RetrievalError extends Error {
  readonly code: RetrievalErrorCode;
  readonly retriable: boolean;
  constructor(code: RetrievalErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RetrievalError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

// Network failures and transient Postgres states (serialization failure, deadlock, shutdown,
// too many connections, connection exceptions) that the same query may survive on a retry.
const transientNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
const transientSqlStates = /^(08|40001|40P01|53|57P0[1-3])/;

/** Wraps a failure of the database into a SEARCH_FAILED error, retriable when it is transient. */
export function searchFailed(cause: unknown): RetrievalError {
  if (cause instanceof RetrievalError) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const retriable =
    typeof code === 'string' && (transientNodeCodes.has(code) || transientSqlStates.test(code)) ||
    (cause instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(cause.message));
  return new RetrievalError('SEARCH_FAILED', `search failed: ${cause instanceof Error ? cause.message : String(cause)}`, { retriable, cause });
}
