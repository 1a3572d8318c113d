import pg from 'pg';

/**
 * A pg pool for the ragmesh database; vectors travel as pgvector text via `toSql` from `pgvector`.
 * A restarting server kills the pool's idle connections: pg reports that as an `error` event,
 * which would end the process unheard; here it is logged (`onIdleError`) and the pool simply
 * connects again on next use. A connection attempt gives up after `connectTimeoutMs` (5 s), so a
 * query during an outage fails (and is retried by its caller) instead of hanging.
 */
export function createPool(options: { connectionString: string; max?: number; applicationName?: string; connectTimeoutMs?: number; onIdleError?: (error: Error) => void }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'ragmesh',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}
