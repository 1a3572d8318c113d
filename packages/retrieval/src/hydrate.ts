import type pg from 'pg';
import { prepared } from '@ragmesh/store';
import pgvector from 'pgvector';

export interface ChunkRow {
  chunkId: string;
  documentId: string;
  title: string | null;
  uri: string | null;
  text: string;
  metadata: Record<string, string>;
  embedding: number[] | null;
}

function toStringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/**
 * Loads the chunks `ids` of the tenant set on `client` in `generation` with their document's title and uri,
 * and their embeddings when asked (for MMR). Legs return ids only, so only the final
 * candidates pay for text, metadata and vectors.
 */
export async function hydrate(client: pg.ClientBase, options: { generation: number; ids: readonly string[]; embeddings: boolean }): Promise<Map<string, ChunkRow>> {
  if (options.ids.length === 0) return new Map();
  const { rows } = await client.query<{
    chunk_id: string;
    document_id: string;
    title: string | null;
    uri: string | null;
    text: string;
    metadata: unknown;
    embedding: string | null;
  }>(
    prepared(
      `SELECT c.chunk_id, c.document_id, d.title, d.uri, c.text, c.metadata, CASE WHEN $2 THEN c.embedding::text END AS embedding
       FROM ragmesh.chunks c
       LEFT JOIN ragmesh.documents d ON d.tenant_id = c.tenant_id AND d.generation_id = c.generation_id AND d.document_id = c.document_id
       WHERE c.generation_id = $3 AND c.chunk_id = ANY($1::text[])`,
      [options.ids, options.embeddings, options.generation],
    ),
  );
  return new Map(
    rows.map((r) => {
      const vector = r.embedding === null ? null : pgvector.fromSql(r.embedding);
      const embedding = Array.isArray(vector) ? vector : null;
      return [r.chunk_id, { chunkId: r.chunk_id, documentId: r.document_id, title: r.title, uri: r.uri, text: r.text, metadata: toStringRecord(r.metadata), embedding }];
    }),
  );
}
