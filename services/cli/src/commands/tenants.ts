import { userInfo } from 'node:os';
import { createPool, createTenantLimits, listAudit, migrate, type TenantLimits } from '@ragmesh/store';
import type { CliConfig } from '../config.js';

/** Who the audit log names for a change made with the CLI: the operating system user. */
export function cliActor(): string {
  return `cli:${userInfo().username}`;
}

async function withPool<T>(config: CliConfig, work: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const pool = createPool({ connectionString: config.DATABASE_URL, max: 1, applicationName: 'ragmesh-cli' });
  try {
    await migrate(pool);
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/** Sets a tenant's rate limits (read by every gateway within seconds) and audits the change. */
export function setTenantLimits(config: CliConfig, tenant: string, limits: TenantLimits): Promise<void> {
  return withPool(config, (pool) => createTenantLimits(pool).set(tenant, limits, cliActor()));
}

/** The audit log, newest first. */
export function readAudit(config: CliConfig, options: { tenant?: string; limit?: number }) {
  return withPool(config, (pool) => listAudit(pool, options));
}
