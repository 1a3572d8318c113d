import type pg from 'pg';
import type { GenerationState } from './generations.js';
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
  /** Index generation the version belongs to; every row written carries it. */
  generation: number;
  part: number;
  partCount: number;
  chunkCount: number;
  chunks: ChunkInput[];
}

export type ApplyOutcome = 'indexed' | 'deleted' | 'skipped_unchanged' | 'skipped_stale' | 'skipped_retired' | 'staged';

export interface ApplyResult {
  documentId: string;
  outcome: ApplyOutcome;
  chunksWritten: number;
}

const ENDED: readonly GenerationState[] = ['retired', 'cancelled', 'failed'];
// A building generation that waits for its bulk index is asked again after this long.
const BULK_RECHECK_MS = 10_000;

/**
 * Installs document versions for one tenant in a single transaction: a reader sees each
 * document's old chunk set until the commit, then only the new one. Older versions than the
 * applied one change nothing; a redelivered version changes nothing. Rows are written in key
 * order so concurrent indexers cannot deadlock on each other's order.
 */
export function createIndexWriter(pool: pg.Pool, options: { graph?: VectorGraph } = {}) {
  const indexed = new Set<number>();
  const bulkUntil = new Map<number, number>();

  /**
   * Creates the generation's partial HNSW index the first time it is written, unless it is a
   * re-index generation still being filled: pgvector builds an index over loaded rows far faster
   * than row by row, so that one is built by `ragmesh reindex cutover` (createVectorIndex) first.
   */
  async function ensureVectorIndex(generation: number, dims: number): Promise<void> {
    if (indexed.has(generation) || (bulkUntil.get(generation) ?? 0) > Date.now()) return;
    if (!Number.isInteger(generation) || generation < 0 || !Number.isInteger(dims) || dims < 1 || dims > 16000) {
      throw new StoreError('QUERY_FAILED', `generation ${generation} or dims ${dims} not allowed`);
    }
    const { rows } = await pool.query<{ origin: string; vector_indexed: boolean }>('SELECT origin, vector_indexed FROM ragmesh.generations WHERE generation_id = $1', [generation]);
    const row = rows[0];
    if (row?.vector_indexed) {
      indexed.add(generation);
      return;
    }
    if (row?.origin === 'reindex') {
      bulkUntil.set(generation, Date.now() + BULK_RECHECK_MS);
      return;
    }
    await createVectorIndex(pool, { generation, dims, graph: options.graph });
    indexed.add(generation);
  }

  async function applyOne(client: pg.PoolClient, tenant: string, doc: DocumentVersion): Promise<ApplyResult> {
    const current = await client.query<{ active_version: string | null; content_hash: string | null; status: string }>(
      'SELECT active_version, content_hash, status FROM ragmesh.documents WHERE generation_id = $1 AND document_id = $2 FOR UPDATE',
      [doc.generation, doc.documentId],
    );
    const row = current.rows[0];
    const active = row?.active_version == null ? null : Number(row.active_version);
    if (active !== null && doc.version < active) return { documentId: doc.documentId, outcome: 'skipped_stale', chunksWritten: 0 };
    if (doc.op === 'UPSERT' && row?.status === 'indexed' && row.content_hash === doc.contentHash) {
      if (active !== null && doc.version > active) {
        await client.query('UPDATE ragmesh.documents SET active_version = $3, updated_at = now() WHERE generation_id = $1 AND document_id = $2', [doc.generation, doc.documentId, doc.version]);
      }
      return { documentId: doc.documentId, outcome: 'skipped_unchanged', chunksWritten: 0 };
    }
    if (doc.op === 'DELETE') {
      if (row?.status === 'deleted') return { documentId: doc.documentId, outcome: 'skipped_unchanged', chunksWritten: 0 };
      await client.query('DELETE FROM ragmesh.chunks WHERE generation_id = $1 AND document_id = $2', [doc.generation, doc.documentId]);
      await upsertManifest(client, { tenant, doc, status: 'deleted', chunkCount: 0 });
      return { documentId: doc.documentId, outcome: 'deleted', chunksWritten: 0 };
    }
    const chunks = [...doc.chunks].sort((a, b) => (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0));
    await client.query('DELETE FROM ragmesh.chunks WHERE generation_id = $1 AND document_id = $2 AND NOT (chunk_id = ANY($3))', [doc.generation, doc.documentId, chunks.map((c) => c.chunkId)]);
    // An unchanged chunk (same id: same text, document and model) keeps its row and its place in
    // the HNSW index; only its position or metadata are refreshed when they moved.
    const written = await client.query(
      `INSERT INTO ragmesh.chunks AS c (tenant_id, chunk_id, document_id, version, ordinal, text, text_hash, token_count, embedding, model_id, metadata, title, generation_id)
       SELECT $1, n.chunk_id, $2, $3, n.ordinal, n.text, n.text_hash, n.token_count, n.embedding::vector, $4, $5::jsonb, $12, $13
       FROM unnest($6::text[], $7::int[], $8::text[], $9::text[], $10::int[], $11::text[]) AS n(chunk_id, ordinal, text, text_hash, token_count, embedding)
       ON CONFLICT (tenant_id, generation_id, chunk_id) DO UPDATE
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
        doc.generation,
      ],
    );
    await upsertManifest(client, { tenant, doc, status: 'indexed', chunkCount: chunks.length });
    return { documentId: doc.documentId, outcome: 'indexed', chunksWritten: written.rowCount ?? 0 };
  }

  async function upsertManifest(client: pg.PoolClient, { tenant, doc, status, chunkCount }: { tenant: string; doc: DocumentVersion; status: 'indexed' | 'deleted'; chunkCount: number }) {
    const deleted = status === 'deleted';
    await client.query(
      `INSERT INTO ragmesh.documents AS d (tenant_id, document_id, status, content_hash, uri, title, metadata, chunk_policy, model_id, model_version, dims, active_version, chunk_count, indexed_at, generation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, now(), $14)
       ON CONFLICT (tenant_id, generation_id, document_id) DO UPDATE SET
         status = excluded.status, content_hash = excluded.content_hash, uri = excluded.uri, title = excluded.title,
         metadata = excluded.metadata, chunk_policy = excluded.chunk_policy, model_id = excluded.model_id,
         model_version = excluded.model_version, dims = excluded.dims, active_version = excluded.active_version,
         chunk_count = excluded.chunk_count, indexed_at = now(), updated_at = now(),
         failure_reason = CASE WHEN d.failed_version > excluded.active_version THEN d.failure_reason END,
         failed_version = CASE WHEN d.failed_version > excluded.active_version THEN d.failed_version END`,
      [
        tenant, doc.documentId, status, deleted ? null : doc.contentHash, doc.uri, doc.title, JSON.stringify(doc.metadata),
        doc.chunking, doc.model.id, doc.model.version, doc.model.dims, doc.version, chunkCount, doc.generation,
      ],
    );
  }

  /** Holds a part of a multi-part version; returns the whole version once every part is there. */
  async function stage(client: pg.PoolClient, tenant: string, doc: DocumentVersion): Promise<DocumentVersion | null> {
    await client.query(
      `INSERT INTO ragmesh.staged_parts (tenant_id, document_id, version, content_hash, part, part_count, payload, generation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT DO NOTHING`,
      [tenant, doc.documentId, doc.version, doc.contentHash, doc.part, doc.partCount, JSON.stringify(doc.chunks), doc.generation],
    );
    const parts = await client.query<{ part: number; payload: ChunkInput[] }>(
      'SELECT part, payload FROM ragmesh.staged_parts WHERE generation_id = $1 AND document_id = $2 AND version = $3 AND content_hash = $4 ORDER BY part',
      [doc.generation, doc.documentId, doc.version, doc.contentHash],
    );
    if (parts.rows.length < doc.partCount) return null;
    await client.query('DELETE FROM ragmesh.staged_parts WHERE generation_id = $1 AND document_id = $2 AND version <= $3', [doc.generation, doc.documentId, doc.version]);
    return { ...doc, part: 0, partCount: 1, chunks: parts.rows.flatMap((r) => r.payload) };
  }

  return {
    ensureVectorIndex,
    /**
     * Applies the given parts for `tenant`. Several versions of one document may be given
     * (redelivery, fast updates): they are applied in version order, so the newest wins.
     */
    async apply(tenant: string, docs: DocumentVersion[]): Promise<ApplyResult[]> {
      for (const doc of docs) if (doc.op === 'UPSERT') await ensureVectorIndex(doc.generation, doc.model.dims);
      const ordered = [...docs].sort((a, b) =>
        a.generation - b.generation || (a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : a.version - b.version || a.part - b.part),
      );
      return withTenant(pool, tenant, async (client) => {
        // FOR SHARE: a cancel or retire (which updates these rows first) waits for this
        // transaction, then drops what it wrote; one that came first is seen here and skipped.
        const { rows: memberships } = await client.query<{ generation_id: string; state: GenerationState }>(
          'SELECT generation_id, state FROM ragmesh.tenant_generations WHERE tenant_id = $1 AND generation_id = ANY($2) FOR SHARE',
          [tenant, [...new Set(docs.map((d) => d.generation))]],
        );
        const states = new Map(memberships.map((m) => [Number(m.generation_id), m.state]));
        const results: ApplyResult[] = [];
        let changedServed = false;
        for (const doc of ordered) {
          const state = states.get(doc.generation);
          if (state && ENDED.includes(state)) {
            results.push({ documentId: doc.documentId, outcome: 'skipped_retired', chunksWritten: 0 });
            continue;
          }
          const whole = doc.partCount > 1 ? await stage(client, tenant, doc) : doc;
          const result = whole ? await applyOne(client, tenant, whole) : { documentId: doc.documentId, outcome: 'staged' as const, chunksWritten: 0 };
          results.push(result);
          // Result caches only need a new corpus version when what queries read by default changed.
          if ((result.outcome === 'indexed' || result.outcome === 'deleted') && state !== 'building' && state !== 'standby') changedServed = true;
        }
        if (changedServed) {
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

/** pgvector's HNSW build parameters; its defaults (16, 64) when not given. */
export interface VectorGraph {
  m: number;
  efConstruction: number;
}

const DEFAULT_VECTOR_GRAPH: VectorGraph = { m: 16, efConstruction: 64 };

/**
 * Builds a generation's partial HNSW index over its rows with the graph parameters `graph`
 * (idempotent: an index already there is kept as it was built) and records that it exists.
 */
export async function createVectorIndex(pool: pg.Pool, options: { generation: number; dims: number; graph?: VectorGraph }): Promise<void> {
  const { generation, dims } = options;
  const { m, efConstruction } = options.graph ?? DEFAULT_VECTOR_GRAPH;
  if (!Number.isInteger(generation) || generation < 0 || !Number.isInteger(dims) || dims < 1 || dims > 16000) {
    throw new StoreError('QUERY_FAILED', `generation ${generation} or dims ${dims} not allowed`);
  }
  // A function owned by the tables' owner (migrations 6 and 8), so the indexer's role needs no DDL rights.
  await pool.query('SELECT ragmesh.create_vector_index($1, $2, $3, $4)', [generation, dims, m, efConstruction]);
}
