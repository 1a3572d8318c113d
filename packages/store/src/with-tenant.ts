import type pg from 'pg';
import { StoreError } from './store-error.js';

/**
 * Runs `work` in a transaction whose row-level-security tenant is `tenant`. The setting is
 * transaction-local (set_config(..., true)), so a pooled connection never carries a tenant over
 * to the next request.
 */
export async function withTenant<T>(pool: pg.Pool, tenant: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  if (!tenant) throw new StoreError('TENANT_REQUIRED', 'a tenant is required for tenant-scoped queries');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('ragmesh.tenant_id', $1, true)", [tenant]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
