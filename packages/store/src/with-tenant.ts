import type pg from 'pg';
import { prepared } from './prepared.js';
import { StoreError } from './store-error.js';
import { inTransaction } from './transaction.js';

/** A tenant and, optionally, more transaction-local settings (names from code, never from a request). */
export interface TenantScope {
  tenant: string;
  settings?: Readonly<Record<string, string>>;
}

/**
 * Runs `work` in a transaction whose row-level-security tenant is `tenant`. The setting is
 * transaction-local (set_config(..., true)), so a pooled connection never carries a tenant over
 * to the next request. Extra `settings` (statement_timeout, hnsw.ef_search, ...) are set by the
 * same statement, names and values both as parameters: one round trip whatever their number.
 */
export async function withTenant<T>(pool: pg.Pool, scope: string | TenantScope, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const { tenant, settings = {} } = typeof scope === 'string' ? { tenant: scope } : scope;
  if (!tenant) throw new StoreError('TENANT_REQUIRED', 'a tenant is required for tenant-scoped queries');
  const pairs = [['ragmesh.tenant_id', tenant], ...Object.entries(settings)];
  const sql = `SELECT ${pairs.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`;
  return inTransaction(pool, async (client) => {
    await client.query(prepared(sql, pairs.flat()));
    return work(client);
  });
}
