import type pg from 'pg';
import { StoreError } from './store-error.js';
import { withTenant } from './with-tenant.js';

export interface ChunkInput {
  chunkId: string;
  ordinal: number;
  text: string;
  textHash: string;
  tokenCount: number;
  embedding: number[];
}

/** One part of a document version as carried by vectors.upsert (structurally a VectorBatch). */
export interface DocumentVersion {
  op: 'UPSERT' | 'DELETE';
  documentId: string;
  version: number;
  contentHash: string;
  uri: string | null;
  title: string | null;
  metadata: Record<string, string>;
  chunking: string;
  model: { id: string; version: string; dims: number };
  part: number;
  partCount: number;
  chunkCount: number;
  chunks: ChunkInput[];
}

export type ApplyOutcome = 'indexed' | 'deleted' | 'skipped_unchanged' | 'skipped_stale' | 'staged';

export interface ApplyResult {
  documentId: string;
  outcome: ApplyOutcome;
  chunksWritten: number;
}

const MODEL_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Installs document versions for one tenant in a single transaction: a reader sees each
 * document's old chunk set until the commit, then only the new one. Older versions than the
 * applied one change nothing; a redelivered version changes nothing. Rows are written in key
 * order so concurrent indexers cannot deadlock on each other's order.
 */
export function createIndexWriter(pool: pg.Pool) {
  const indexedModels = new Set<string>();

  /** Creates the model's HNSW index (a partial index over its own vectors) the first time it is seen. */
  async function ensureModelIndex(model: DocumentVersion['model']): Promise<void> {
    const key = `${model.id}/${model.dims}`;
    if (indexedModels.has(key)) return;
    if (!MODEL_ID.test(model.id) || !Number.isInteger(model.dims) || model.dims < 1 || model.dims > 16000) {
      throw new StoreError('QUERY_FAILED', `model id ${JSON.stringify(model.id)} or dims ${model.dims} not allowed`);
    }
    const name = `chunks_hnsw_${model.id.toLowerCase().replace(/[^a-z0-9]/g, '_').slice(0, 40)}_${model.dims}`;
    // DDL cannot take parameters; the id is checked against MODEL_ID above and quoted as a literal.
    await pool.query(
      `CREATE INDEX IF NOT EXISTS ${name} ON ragmesh.chunks USING hnsw ((embedding::vector(${model.dims})) vector_cosine_ops) WHERE model_id = '${model.id}'`,
    );
    indexedModels.add(key);
  }

  async function applyOne(client: pg.PoolClient, tenant: string, doc: DocumentVersion): Promise<ApplyResult> {
    const current = await client.query<{ active_version: string | null; content_hash: string | null; status: string }>(
      'SELECT active_version, content_hash, status FROM ragmesh.documents WHERE document_id = $1 FOR UPDATE',
      [doc.documentId],
    );
    const row = current.rows[0];
    const active = row?.active_version == null ? null : Number(row.active_version);
    if (active !== null && doc.version < active) return { documentId: doc.documentId, outcome: 'skipped_stale', chunksWritten: 0 };
    if (doc.op === 'UPSERT' && row?.status === 'indexed' && row.content_hash === doc.contentHash) {
      if (active !== null && doc.version > active) {
        await client.query('UPDATE ragmesh.documents SET active_version = $2, updated_at = now() WHERE document_id = $1', [doc.documentId, doc.version]);
      }
      return { documentId: doc.documentId, outcome: 'skipped_unchanged', chunksWritten: 0 };
    }
    if (doc.op === 'DELETE') {
      if (row?.status === 'deleted') return { documentId: doc.documentId, outcome: 'skipped_unchanged', chunksWritten: 0 };
      await client.query('DELETE FROM ragmesh.chunks WHERE document_id = $1', [doc.documentId]);
      await upsertManifest(client, { tenant, doc, status: 'deleted', chunkCount: 0 });
      return { documentId: doc.documentId, outcome: 'deleted', chunksWritten: 0 };
    }
    const chunks = [...doc.chunks].sort((a, b) => (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0));
    await client.query('DELETE FROM ragmesh.chunks WHERE document_id = $1 AND NOT (chunk_id = ANY($2))', [doc.documentId, chunks.map((c) => c.chunkId)]);
    // An unchanged chunk (same id: same text, document and model) keeps its row and its place in
    // the HNSW index; only its position or metadata are refreshed when they moved.
    const written = await client.query(
      `INSERT INTO ragmesh.chunks AS c (tenant_id, chunk_id, document_id, version, ordinal, text, text_hash, token_count, embedding, model_id, metadata, title)
       SELECT $1, n.chunk_id, $2, $3, n.ordinal, n.text, n.text_hash, n.token_count, n.embedding::vector, $4, $5::jsonb, $12
       FROM unnest($6::text[], $7::int[], $8::text[], $9::text[], $10::int[], $11::text[]) AS n(chunk_id, ordinal, text, text_hash, token_count, embedding)
       ON CONFLICT (tenant_id, chunk_id) DO UPDATE
         SET ordinal = excluded.ordinal, metadata = excluded.metadata
         WHERE c.ordinal IS DISTINCT FROM excluded.ordinal OR c.metadata IS DISTINCT FROM excluded.metadata`,
      [
        tenant,
        doc.documentId,
        doc.version,
        doc.model.id,
        JSON.stringify(doc.metadata),
        chunks.map((c) => c.chunkId),
        chunks.map((c) => c.ordinal),
        chunks.map((c) => c.text),
        chunks.map((c) => c.textHash),
        chunks.map((c) => c.tokenCount),
        chunks.map((c) => `[${c.embedding.join(',')}]`),
        doc.title,
      ],
    );
    await upsertManifest(client, { tenant, doc, status: 'indexed', chunkCount: chunks.length });
    return { documentId: doc.documentId, outcome: 'indexed', chunksWritten: written.rowCount ?? 0 };
  }

  async function upsertManifest(client: pg.PoolClient, { tenant, doc, status, chunkCount }: { tenant: string; doc: DocumentVersion; status: 'indexed' | 'deleted'; chunkCount: number }) {
    const deleted = status === 'deleted';
    await client.query(
      `INSERT INTO ragmesh.documents AS d (tenant_id, document_id, status, content_hash, uri, title, metadata, chunk_policy, model_id, model_version, dims, active_version, chunk_count, indexed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, now())
       ON CONFLICT (tenant_id, document_id) DO UPDATE SET
         status = excluded.status, content_hash = excluded.content_hash, uri = excluded.uri, title = excluded.title,
         metadata = excluded.metadata, chunk_policy = excluded.chunk_policy, model_id = excluded.model_id,
         model_version = excluded.model_version, dims = excluded.dims, active_version = excluded.active_version,
         chunk_count = excluded.chunk_count, indexed_at = now(), updated_at = now(),
         failure_reason = CASE WHEN d.failed_version > excluded.active_version THEN d.failure_reason END,
         failed_version = CASE WHEN d.failed_version > excluded.active_version THEN d.failed_version END`,
      [
        tenant, doc.documentId, status, deleted ? null : doc.contentHash, doc.uri, doc.title, JSON.stringify(doc.metadata),
        doc.chunking, doc.model.id, doc.model.version, doc.model.dims, doc.version, chunkCount,
      ],
    );
  }

  /** Holds a part of a multi-part version; returns the whole version once every part is there. */
  async function stage(client: pg.PoolClient, tenant: string, doc: DocumentVersion): Promise<DocumentVersion | null> {
    await client.query(
      `INSERT INTO ragmesh.staged_parts (tenant_id, document_id, version, content_hash, part, part_count, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT DO NOTHING`,
      [tenant, doc.documentId, doc.version, doc.contentHash, doc.part, doc.partCount, JSON.stringify(doc.chunks)],
    );
    const parts = await client.query<{ part: number; payload: ChunkInput[] }>(
      'SELECT part, payload FROM ragmesh.staged_parts WHERE document_id = $1 AND version = $2 AND content_hash = $3 ORDER BY part',
      [doc.documentId, doc.version, doc.contentHash],
    );
    if (parts.rows.length < doc.partCount) return null;
    await client.query('DELETE FROM ragmesh.staged_parts WHERE document_id = $1 AND version <= $2', [doc.documentId, doc.version]);
    return { ...doc, part: 0, partCount: 1, chunks: parts.rows.flatMap((r) => r.payload) };
  }

  return {
    ensureModelIndex,
    /**
     * Applies the given parts for `tenant`. Several versions of one document may be given
     * (redelivery, fast updates): they are applied in version order, so the newest wins.
     */
    async apply(tenant: string, docs: DocumentVersion[]): Promise<ApplyResult[]> {
      for (const doc of docs) if (doc.op === 'UPSERT') await ensureModelIndex(doc.model);
      const ordered = [...docs].sort((a, b) =>
        a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : a.version - b.version || a.part - b.part,
      );
      return withTenant(pool, tenant, async (client) => {
        const results: ApplyResult[] = [];
        for (const doc of ordered) {
          const whole = doc.partCount > 1 ? await stage(client, tenant, doc) : doc;
          results.push(whole ? await applyOne(client, tenant, whole) : { documentId: doc.documentId, outcome: 'staged', chunksWritten: 0 });
        }
        if (results.some((r) => r.outcome === 'indexed' || r.outcome === 'deleted')) {
          await client.query(
            `INSERT INTO ragmesh.corpus_versions (tenant_id, version) VALUES ($1, 1)
             ON CONFLICT (tenant_id) DO UPDATE SET version = ragmesh.corpus_versions.version + 1`,
            [tenant],
          );
        }
        return results;
      });
    },
  };
}

export type IndexWriter = ReturnType<typeof createIndexWriter>;
