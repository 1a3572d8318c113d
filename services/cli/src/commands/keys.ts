import { createApiKeyStore, createPool, migrate } from '@ragmesh/store';
import type { CliConfig } from '../config.js';

/** Creates an API key for `tenant`; the key is shown once and stored only as a hash. */
export async function createKey(config: CliConfig, options: { tenant: string; name?: string }): Promise<string> {
  const pool = createPool({ connectionString: config.DATABASE_URL, max: 1, applicationName: 'ragmesh-cli' });
  try {
    await migrate(pool);
    return await createApiKeyStore(pool).create(options);
  } finally {
    await pool.end();
  }
}

/** Applies pending migrations (a deployment's migration job; services also migrate at start when they may). */
export async function migrateDatabase(config: CliConfig): Promise<number[]> {
  const pool = createPool({ connectionString: config.DATABASE_URL, max: 1, applicationName: 'ragmesh-cli' });
  try {
    return (await migrate(pool)).applied;
  } finally {
    await pool.end();
  }
}
