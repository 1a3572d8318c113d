import { createHash } from 'node:crypto';
import { withTenant, type DocumentVersion } from '@ragmesh/store';
import type pg from 'pg';

/** A 4-dimensional test model: vectors are hand-made so the dense order is known. */
export const MODEL = { id: 'test-4d', version: '1', dims: 4 } as const;
/**
 * The index generation the fixtures write to and search. It has no generations row (the writer
 * needs none); the id is far above what the services' generations (a sequence from 1) reach in a
 * test database, so the 4-dimensional vectors never share a vector index with theirs.
 */
export const GENERATION = 1_000_001;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export interface TestDoc {
  id: string;
  /** None by default: the store indexes the title's words too, which would blur sparse expectations. */
  title?: string;
  metadata?: Record<string, string>;
  chunks: { id: string; text: string; vector: number[] }[];
}

/** A document version as vectors.upsert carries it, for `createIndexWriter(pool).apply`. */
export function documentVersion(doc: TestDoc): DocumentVersion {
  return {
    op: 'UPSERT',
    documentId: doc.id,
    version: 1,
    contentHash: sha(JSON.stringify(doc)),
    uri: `file:///${doc.id}.md`,
    title: doc.title ?? null,
    metadata: doc.metadata ?? {},
    chunking: 'test',
    model: MODEL,
    generation: GENERATION,
    part: 0,
    partCount: 1,
    chunkCount: doc.chunks.length,
    chunks: doc.chunks.map((c, ordinal) => ({ chunkId: c.id, ordinal, text: c.text, textHash: sha(c.text), tokenCount: c.text.split(' ').length, embedding: c.vector })),
  };
}

/** One document per chunk, the chunk id also being the document id. */
export function singleChunkDoc(id: string, text: string, options: { vector: number[]; metadata?: Record<string, string>; title?: string }): TestDoc {
  return { id, title: options.title, metadata: options.metadata, chunks: [{ id, text, vector: options.vector }] };
}

/** Removes everything a test wrote for `tenants`. */
export async function dropTenants(pool: pg.Pool, tenants: string[]): Promise<void> {
  for (const tenant of tenants) {
    await withTenant(pool, tenant, (client) =>
      client.query('DELETE FROM ragmesh.chunks; DELETE FROM ragmesh.documents; DELETE FROM ragmesh.corpus_versions; DELETE FROM ragmesh.staged_parts'),
    );
  }
}
