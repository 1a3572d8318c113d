import type pg from 'pg';
import { inTransaction } from './transaction.js';
import { withTenant } from './with-tenant.js';

/** A tenant's data policy. */
export interface TenantPolicy {
  piiRedaction: boolean;
  piiPatterns: { name: string; pattern: string }[];
}

/** Per-tenant policies (ragmesh.tenant_policies); every change is audited in the same transaction. */
export function createTenantPolicies(pool: pg.Pool) {
  return {
    async get(tenant: string): Promise<TenantPolicy | null> {
      const { rows } = await pool.query<{ pii_redaction: boolean; pii_patterns: TenantPolicy['piiPatterns'] }>(
        'SELECT pii_redaction, pii_patterns FROM ragmesh.tenant_policies WHERE tenant_id = $1',
        [tenant],
      );
      return rows[0] ? { piiRedaction: rows[0].pii_redaction, piiPatterns: rows[0].pii_patterns } : null;
    },
    async set(tenant: string, policy: Partial<TenantPolicy>, actor: string): Promise<TenantPolicy> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ pii_redaction: boolean; pii_patterns: TenantPolicy['piiPatterns'] }>(
          `INSERT INTO ragmesh.tenant_policies (tenant_id, pii_redaction, pii_patterns) VALUES ($1, coalesce($2, false), coalesce($3::jsonb, '[]'))
           ON CONFLICT (tenant_id) DO UPDATE SET pii_redaction = coalesce($2, tenant_policies.pii_redaction),
             pii_patterns = coalesce($3::jsonb, tenant_policies.pii_patterns), updated_at = now()
           RETURNING pii_redaction, pii_patterns`,
          [tenant, policy.piiRedaction ?? null, policy.piiPatterns ? JSON.stringify(policy.piiPatterns) : null],
        );
        const result = { piiRedaction: rows[0]!.pii_redaction, piiPatterns: rows[0]!.pii_patterns };
        await client.query('INSERT INTO ragmesh.audit_log (actor, tenant_id, action, details) VALUES ($1, $2, $3, $4)', [actor, tenant, 'policy.set', result]);
        return result;
      });
    },
  };
}

export type TenantPolicyStore = ReturnType<typeof createTenantPolicies>;

/** The sealed token map (ragmesh.pii_tokens), under the tenant's row-level security. */
export function createPiiTokenStore(pool: pg.Pool) {
  return {
    /** Adds sealed values; a token already present keeps its row (same value, same token). */
    async save(tenant: string, entries: { token: string; sealed: Buffer }[]): Promise<void> {
      if (entries.length === 0) return;
      await withTenant(pool, tenant, (client) =>
        client.query(
          `INSERT INTO ragmesh.pii_tokens (tenant_id, token, sealed) SELECT $1, t, s FROM unnest($2::text[], $3::bytea[]) AS x(t, s)
           ON CONFLICT DO NOTHING`,
          [tenant, entries.map((e) => e.token), entries.map((e) => e.sealed)],
        ),
      );
    },
    /** The sealed values of `tokens` that exist. */
    async load(tenant: string, tokens: string[]): Promise<Map<string, Buffer>> {
      if (tokens.length === 0) return new Map();
      const { rows } = await withTenant(pool, tenant, (client) =>
        client.query<{ token: string; sealed: Buffer }>('SELECT token, sealed FROM ragmesh.pii_tokens WHERE token = ANY($1)', [[...new Set(tokens)]]),
      );
      return new Map(rows.map((r) => [r.token, r.sealed]));
    },
  };
}

export type PiiTokenStore = ReturnType<typeof createPiiTokenStore>;
