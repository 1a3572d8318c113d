import type pg from 'pg';
import { withTenant } from './with-tenant.js';

/**
 * The tenant's corpus version: bumped by the indexer in the transaction of every change, so
 * anything cached under it is current. '0' before the first change.
 */
export async function corpusVersion(pool: pg.Pool, tenant: string): Promise<string> {
  const { rows } = await withTenant(pool, tenant, (client) => client.query<{ version: string }>('SELECT version::text FROM ragmesh.corpus_versions'));
  return rows[0]?.version ?? '0';
}
