import pg from 'pg';

/** A pg pool for the ragmesh database; vectors travel as pgvector text via `toSql` from `pgvector`. */
export function createPool(options: { connectionString: string; max?: number; applicationName?: string }): pg.Pool {
  return new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'ragmesh',
  });
}
