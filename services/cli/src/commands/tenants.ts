import { userInfo } from 'node:os';
import { compilePatterns, POLICY_TTL_MS } from '@ragmesh/pii';
import { createGenerationStore, createPool, createTenantLimits, createTenantPolicies, listAudit, migrate, withTenant, type TenantLimits, type TenantPolicy } from '@ragmesh/store';
import type { CliConfig } from '../config.js';

/** Who the audit log names for a change made with the CLI: the operating system user. */
export function cliActor(): string {
  return `cli:${userInfo().username}`;
}

/** A one-connection pool for one CLI command, migrated first and closed after. */
export async function withPool<T>(config: CliConfig, work: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
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

/**
 * Sets a tenant's data policy (audited). Turning PII redaction on for a tenant that already has
 * indexed documents starts a re-index generation for it, so that after its cutover (and the old
 * generation's retirement) no raw copy stays behind; returns that generation's id.
 */
export function setTenantPolicy(config: CliConfig, tenant: string, change: Partial<TenantPolicy>): Promise<{ policy: TenantPolicy; reindex: number | null; reindexProblem: string | null }> {
  if (change.piiPatterns) compilePatterns(change.piiPatterns); // refuse a pattern that does not compile, before storing it
  return withPool(config, async (pool) => {
    const policies = createTenantPolicies(pool);
    const before = await policies.get(tenant);
    const policy = await policies.set(tenant, change, cliActor());
    const turnedOn = policy.piiRedaction && !before?.piiRedaction;
    const patternsChanged = policy.piiRedaction && change.piiPatterns !== undefined;
    if (!turnedOn && !patternsChanged) return { policy, reindex: null, reindexProblem: null };
    const generations = createGenerationStore(pool);
    const active = await generations.activeFor(tenant);
    if (!active) return { policy, reindex: null, reindexProblem: null };
    const { rows } = await withTenant(pool, tenant, (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM ragmesh.documents WHERE generation_id = $1', [active.id]));
    if ((rows[0]?.n ?? 0) === 0) return { policy, reindex: null, reindexProblem: null };
    // Every worker applies the new policy before the re-index replays anything (else a worker
    // still trusting the old policy could fill the new generation raw).
    await new Promise((resolve) => setTimeout(resolve, POLICY_TTL_MS + 1_000));
    try {
      const spec = { provider: active.provider, modelId: active.modelId, modelVersion: active.modelVersion, dims: active.dims, chunking: active.chunking };
      const { generation } = await generations.start({ spec, tenant });
      return { policy, reindex: generation.id, reindexProblem: null };
    } catch (error) {
      return { policy, reindex: null, reindexProblem: (error as Error).message };
    }
  });
}
