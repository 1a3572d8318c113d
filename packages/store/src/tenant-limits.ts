import type pg from 'pg';
import { inTransaction } from './transaction.js';

/** A tenant's rate limits; `burst` (requests at once) defaults to a minute's worth. */
export interface TenantLimits {
  queriesPerMinute: number;
  documentsPerMinute: number;
  burst: number | null;
}

/** Per-tenant limits (ragmesh.tenant_limits); every change is written to the audit log in the same transaction. */
export function createTenantLimits(pool: pg.Pool) {
  return {
    async get(tenant: string): Promise<TenantLimits | null> {
      const { rows } = await pool.query<{ queries_per_minute: number; documents_per_minute: number; burst: number | null }>(
        'SELECT queries_per_minute, documents_per_minute, burst FROM ragmesh.tenant_limits WHERE tenant_id = $1',
        [tenant],
      );
      const row = rows[0];
      return row ? { queriesPerMinute: row.queries_per_minute, documentsPerMinute: row.documents_per_minute, burst: row.burst } : null;
    },
    async set(tenant: string, limits: TenantLimits, actor: string): Promise<void> {
      await inTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO ragmesh.tenant_limits (tenant_id, queries_per_minute, documents_per_minute, burst) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant_id) DO UPDATE SET queries_per_minute = $2, documents_per_minute = $3, burst = $4, updated_at = now()`,
          [tenant, limits.queriesPerMinute, limits.documentsPerMinute, limits.burst],
        );
        await client.query('INSERT INTO ragmesh.audit_log (actor, tenant_id, action, details) VALUES ($1, $2, $3, $4)', [actor, tenant, 'limits.set', limits]);
      });
    },
  };
}

export type TenantLimitStore = ReturnType<typeof createTenantLimits>;

/** Lists the audit log, newest first (optionally one tenant's). */
export async function listAudit(pool: pg.Pool, options: { tenant?: string; limit?: number } = {}) {
  const { rows } = await pool.query<{ audit_id: string; at: Date; actor: string; tenant_id: string | null; action: string; details: unknown }>(
    `SELECT audit_id, at, actor, tenant_id, action, details FROM ragmesh.audit_log
     WHERE $1::text IS NULL OR tenant_id = $1 ORDER BY audit_id DESC LIMIT $2`,
    [options.tenant ?? null, options.limit ?? 100],
  );
  return rows.map((r) => ({ id: r.audit_id, at: r.at.toISOString(), actor: r.actor, tenant: r.tenant_id, action: r.action, details: r.details }));
}
