import pg from 'pg';

/**
 * A pg pool for the ragmesh database; vectors travel as pgvector text via `toSql` from `pgvector`.
 * A restarting server kills the pool's connections: pg reports that as an `error` event on the
 * pool (idle clients) or on the client itself (checked out: its query fails too), either of which
 * would end the process unheard; here both are logged (`onConnectionError`) and the pool connects
 * again on next use. A connection attempt gives up after `connectTimeoutMs` (5 s), so a
 * query during an outage fails (and is retried by its caller) instead of hanging.
 */
export function createPool(options: { connectionString: string; max?: number; applicationName?: string; connectTimeoutMs?: number; onConnectionError?: (error: Error) => void }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'ragmesh',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
  });
  const report = (error: Error) => options.onConnectionError?.(error);
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  return pool;
}
