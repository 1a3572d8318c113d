import type pg from 'pg';
import { withTenant } from './with-tenant.js';

/** One tenant's progress in one generation, measured against its active generation. */
export interface GenerationCounts {
  /** Documents indexed in the generation. */
  indexed: number;
  /** Documents that failed there, with a reason in their manifest. */
  failed: number;
  /** Chunk rows of the generation. */
  chunks: number;
  /** Live (indexed) documents of the tenant's active generation. */
  activeLive: number;
  /** Live documents of the active generation that this one holds neither indexed nor failed. */
  missing: number;
  /** The first 100 of those, by id. */
  missingIds: string[];
}

/**
 * Counts a tenant's rows in `generation` (and compares them with its active generation), under
 * the tenant's row-level security: these tables are never read across tenants at once.
 */
export async function generationCounts(pool: pg.Pool, options: { tenant: string; generation: number; active: number | null }): Promise<GenerationCounts> {
  return withTenant(pool, options.tenant, async (client) => {
    const { rows } = await client.query<{ indexed: number; failed: number; chunks: number; active_live: number; missing: number; missing_ids: string[] }>(
      `SELECT
         (SELECT count(*) FROM ragmesh.documents WHERE generation_id = $1 AND status = 'indexed')::int AS indexed,
         (SELECT count(*) FROM ragmesh.documents WHERE generation_id = $1 AND status = 'failed')::int AS failed,
         (SELECT count(*) FROM ragmesh.chunks WHERE generation_id = $1)::int AS chunks,
         (SELECT count(*) FROM ragmesh.documents WHERE generation_id = $2 AND status = 'indexed')::int AS active_live,
         (SELECT count(*) FROM ragmesh.documents a WHERE a.generation_id = $2 AND a.status = 'indexed'
            AND NOT EXISTS (SELECT 1 FROM ragmesh.documents b WHERE b.generation_id = $1 AND b.document_id = a.document_id AND b.status IN ('indexed', 'failed', 'deleted')))::int AS missing,
         ARRAY(SELECT a.document_id FROM ragmesh.documents a WHERE a.generation_id = $2 AND a.status = 'indexed'
            AND NOT EXISTS (SELECT 1 FROM ragmesh.documents b WHERE b.generation_id = $1 AND b.document_id = a.document_id AND b.status IN ('indexed', 'failed', 'deleted'))
            ORDER BY a.document_id LIMIT 100) AS missing_ids`,
      [options.generation, options.active ?? -1],
    );
    const r = rows[0]!;
    return { indexed: r.indexed, failed: r.failed, chunks: r.chunks, activeLive: r.active_live, missing: r.missing, missingIds: r.missing_ids };
  });
}
