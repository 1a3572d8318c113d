export const workerErrorCodes = ['HANDLER_FAILED', 'RETRIES_EXHAUSTED', 'SHUTDOWN_TIMEOUT', 'UNKNOWN'] as const;
export type WorkerErrorCode = (typeof workerErrorCodes)[number];

/** Base error of the worker runtime. */
export class WorkerError extends Error {
  readonly code: WorkerErrorCode;
  readonly retriable: boolean;
  constructor(code: WorkerErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'WorkerError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

// Transient conditions of the network and of Postgres (serialization failure, deadlock, admin
// shutdown, too many connections) that a retry usually cures.
const transientNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
const transientSqlStates = new Set(['40001', '40P01', '57P01', '57P03', '53300', '08000', '08003', '08006']);

/**
 * Whether an error is worth retrying: errors that say so (`retriable: true`), network errors and
 * transient Postgres states. Everything else goes to the DLQ at once.
 */
export function isRetriable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { retriable?: unknown; code?: unknown; cause?: unknown };
  if (typeof e.retriable === 'boolean') return e.retriable;
  if (typeof e.code === 'string' && (transientNodeCodes.has(e.code) || transientSqlStates.has(e.code))) return true;
  return e.cause !== undefined && e.cause !== error ? isRetriable(e.cause) : false;
}

/** A stable code for logs, metrics and DLQ headers. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    return (error as { code: string }).code;
  }
  return 'UNKNOWN';
}
