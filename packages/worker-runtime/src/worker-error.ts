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
const transientNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);
const transientSqlStates = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
// Postgres, Kafka and Redis unreachable or restarting: never about the message being handled.
const connectionSqlStates = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const kafkaInfrastructure = new Set([
  'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound', 'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded', 'KafkaJSTimeout', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSStaleTopicMetadataAssignment',
]);
// kafkajs rethrows some failures as a bare KafkaJSNonRetriableError that keeps only the message
// (tulios/kafkajs: the producer's send after its retries), so the message is all there is to go on.
const kafkaInfrastructureMessage = /connection error|connection timeout|connection closed|ECONNREFUSED|ECONNRESET|request timed out|broker not found|not the leader|leader not available|no leader|coordinator (is )?not available|not enough replicas/i;
const pgConnectionMessage = /connection terminated|terminating connection|the database system is (starting up|shutting down)|timeout exceeded when trying to connect|not queryable/i;
const infrastructureCodes = new Set(['REGISTRY_UNAVAILABLE', 'RATE_LIMITED']);

type ErrorLike = { name?: unknown; message?: unknown; code?: unknown; retriable?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };

/** The error and what it wraps (cause, kafkajs' originalError, AggregateError's errors), depth-limited. */
function chain(error: unknown, depth = 0): ErrorLike[] {
  if (typeof error !== 'object' || error === null || depth > 8) return [];
  const e = error as ErrorLike;
  const inner = [e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : [])].filter((x) => x !== undefined && x !== error);
  return [e, ...inner.flatMap((x) => chain(x, depth + 1))];
}

function isInfrastructureLink(e: ErrorLike): boolean {
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'string' ? e.code : '';
  if (transientNodeCodes.has(code) || connectionSqlStates.has(code) || infrastructureCodes.has(code)) return true;
  if (kafkaInfrastructure.has(name)) return true;
  if (name === 'KafkaJSProtocolError' && e.retriable === true) return true;
  if (name.startsWith('KafkaJS') && kafkaInfrastructureMessage.test(message)) return true;
  if (name === 'MaxRetriesPerRequestError' || (name === 'Error' && message === 'Connection is closed.')) return true;
  if (name === 'EmbeddingError' && e.retriable === true) return true;
  return pgConnectionMessage.test(message);
}

/**
 * Whether the failure lies in the infrastructure a worker depends on (broker, database, cache,
 * schema registry, embedding API: unreachable, restarting, rate limiting) rather than in the
 * message being handled, however the client libraries wrapped it. Such failures are retried until
 * they clear: they never send a message to the DLQ.
 */
export function isInfrastructureError(error: unknown): boolean {
  return chain(error).some(isInfrastructureLink);
}

// A dependency that answers but refuses this service: credentials or grants, which only a person
// changing the configuration cures. Postgres' 42501 counts only as "permission denied" (a
// row-level-security refusal shares the state but lies in the data).
const configurationSqlStates = new Set(['28000', '28P01', '3D000']);
const kafkaConfigurationTypes = new Set(['TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);

function configurationLink(e: ErrorLike & { type?: unknown }): string | undefined {
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'string' ? e.code : '';
  if (configurationSqlStates.has(code) || (code === '42501' && /^permission denied/.test(message))) return `postgres refused this service (${code}): ${message}`;
  if (name === 'KafkaJSSASLAuthenticationError') return `kafka refused the credentials: ${message}`;
  if (name === 'KafkaJSProtocolError' && typeof e.type === 'string' && kafkaConfigurationTypes.has(e.type)) return `kafka refused this principal (${e.type}): ${message}`;
  if (/^(NOAUTH|WRONGPASS|NOPERM)\b/.test(message)) return `redis refused this service: ${message}`;
  // The service's own settings (e.g. a secret a tenant's policy needs and nobody gave it).
  const own = (e as { configuration?: unknown }).configuration;
  if (typeof own === 'string') return own;
  return undefined;
}

/**
 * Why a dependency refuses this service (bad credentials, a missing grant or ACL), or undefined
 * when the error is something else. Such a failure is neither retried as an outage nor
 * dead-lettered: the worker holds its place, reports itself unready with this reason, and checks
 * again now and then so that a corrected grant is picked up without a restart.
 */
export function configurationProblem(error: unknown): string | undefined {
  for (const link of chain(error)) {
    const problem = configurationLink(link);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Whether an error is worth retrying: infrastructure failures (see isInfrastructureError), errors
 * that say so (`retriable: true`), network errors and transient Postgres states. Everything else
 * goes to the DLQ at once.
 */
export function isRetriable(error: unknown): boolean {
  if (isInfrastructureError(error)) return true;
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
