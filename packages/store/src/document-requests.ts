import type pg from 'pg';
import { documentStatus, type DocumentRow, type DocumentStatus } from './document-status.js';
import { withTenant } from './with-tenant.js';

export interface DocumentRequest {
  documentId: string;
  op: 'UPSERT' | 'DELETE';
  contentHash: string | null;
  version: number;
  uri?: string | null;
  title?: string | null;
}

/** What the gateway and the chunk/embed worker read and write about documents outside indexing. */
export function createDocumentRequests(pool: pg.Pool) {
  return {
    /**
     * Records requests accepted by the gateway in the tenant's active `generation`, so their
     * status reads `pending` until indexed there. A request older than the one recorded changes
     * nothing. The content hashes must be computed for that generation's model and chunking.
     */
    async record(tenant: string, generation: number, requests: DocumentRequest[]): Promise<void> {
      if (requests.length === 0) return;
      // One row per document (the last request wins), or ON CONFLICT would touch a row twice.
      const latest = [...new Map(requests.map((r) => [r.documentId, r])).values()];
      const sorted = latest.sort((a, b) => (a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : 0));
      await withTenant(pool, tenant, (client) =>
        client.query(
          `INSERT INTO ragmesh.documents AS d (tenant_id, document_id, status, uri, title, requested_op, requested_hash, requested_version, requested_at, generation_id)
           SELECT $1, r.id, 'pending', r.uri, r.title, r.op, r.hash, r.version, now(), $8
           FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[]) AS r(id, op, hash, version, uri, title)
           ON CONFLICT (tenant_id, generation_id, document_id) DO UPDATE
             SET requested_op = excluded.requested_op, requested_hash = excluded.requested_hash,
                 requested_version = excluded.requested_version, requested_at = now(), updated_at = now()
             WHERE (d.requested_version IS NULL OR d.requested_version <= excluded.requested_version)
               -- Re-sending what is already indexed changes nothing, not even this row.
               AND NOT (excluded.requested_op = 'UPSERT' AND d.status = 'indexed' AND d.content_hash = excluded.requested_hash
                        AND (d.requested_hash IS NULL OR d.requested_hash = excluded.requested_hash))`,
          [
            tenant,
            sorted.map((r) => r.documentId),
            sorted.map((r) => r.op),
            sorted.map((r) => r.contentHash),
            sorted.map((r) => r.version),
            sorted.map((r) => r.uri ?? null),
            sorted.map((r) => r.title ?? null),
            generation,
          ],
        ),
      );
    },

    /** The document as the tenant's active generation holds it (what queries read). */
    async status(tenant: string, documentId: string): Promise<DocumentStatus | null> {
      const { rows } = await withTenant(pool, tenant, (client) =>
        client.query<DocumentRow>(
          `SELECT d.* FROM ragmesh.documents d JOIN ragmesh.tenant_generations t ON t.tenant_id = d.tenant_id AND t.generation_id = d.generation_id AND t.state = 'active'
           WHERE d.document_id = $1`,
          [documentId],
        ),
      );
      return rows[0] ? documentStatus(rows[0]) : null;
    },

    /** Content hashes of the versions of `documentIds` indexed in `generation` (absent: not indexed). */
    async indexedHashes(tenant: string, generation: number, documentIds: string[]): Promise<Map<string, string>> {
      const { rows } = await withTenant(pool, tenant, (client) =>
        client.query<{ document_id: string; content_hash: string }>(
          "SELECT document_id, content_hash FROM ragmesh.documents WHERE generation_id = $1 AND document_id = ANY($2) AND status = 'indexed' AND content_hash IS NOT NULL",
          [generation, documentIds],
        ),
      );
      return new Map(rows.map((r) => [r.document_id, r.content_hash]));
    },

    /** Marks a requested version failed in `generation` with `reason`, unless a newer version was applied there. */
    async markFailed(tenant: string, failure: { generation: number; documentId: string; version: number; reason: string }): Promise<void> {
      await withTenant(pool, tenant, (client) =>
        client.query(
          `INSERT INTO ragmesh.documents AS d (tenant_id, document_id, status, failure_reason, failed_version, requested_version, generation_id)
           VALUES ($1, $2, 'failed', $3, $4, $4, $5)
           ON CONFLICT (tenant_id, generation_id, document_id) DO UPDATE
             SET failure_reason = excluded.failure_reason, failed_version = excluded.failed_version, updated_at = now(),
                 requested_version = GREATEST(d.requested_version, excluded.failed_version),
                 status = CASE WHEN d.active_version IS NULL THEN 'failed' ELSE d.status END
             WHERE d.active_version IS NULL OR d.active_version <= excluded.failed_version`,
          [tenant, failure.documentId, failure.reason.slice(0, 1000), failure.version, failure.generation],
        ),
      );
    },
  };
}

export type DocumentRequests = ReturnType<typeof createDocumentRequests>;
