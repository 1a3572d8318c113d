// Deterministic test documents and the chunks the pipeline must produce for them.
import { chunkDocument, getPolicy, normalizeContent } from '@ragmesh/chunking';
import { topics, type DocumentEvent, type Serde } from '@ragmesh/contracts';
import { createHashEmbedder } from '@ragmesh/embeddings';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { stackEnv, uniqueName, waitFor } from '@ragmesh/testkit';

const words = 'retrieval vector index kafka partition offset embedding chunk tenant query hybrid sparse dense model token schema registry replay version commit batch cache redis postgres lexical semantic ranking fusion document paragraph heading'.split(' ');

/** A seeded pseudo-random generator, so every run builds the same corpus. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function paragraph(random: () => number, sentences = 3 + Math.floor(random() * 4)): string {
  return Array.from({ length: sentences }, () => {
    const n = 6 + Math.floor(random() * 12);
    const s = Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ');
    return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
  }).join(' ');
}

export interface TestDocument {
  id: string;
  title: string;
  content: string;
  contentType: 'text/plain' | 'text/markdown' | 'text/html';
  metadata: Record<string, string>;
}

/** `count` documents of 1-8 paragraphs, a mix of plain text, Markdown and HTML. */
export function makeDocuments(count: number, options: { seed?: number; prefix?: string } = {}): TestDocument[] {
  const random = rng(options.seed ?? 7);
  return Array.from({ length: count }, (_, i) => {
    const paragraphs = Array.from({ length: 1 + Math.floor(random() * 8) }, () => paragraph(random));
    const kind = i % 3;
    const content =
      kind === 0 ? paragraphs.join('\n\n') : kind === 1 ? `# Section ${i}\n\n${paragraphs.join('\n\n')}` : `<html><body><h1>Doc ${i}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</body></html>`;
    return {
      id: `${options.prefix ?? 'doc'}-${String(i).padStart(5, '0')}`,
      title: `Title ${i}`,
      content,
      contentType: kind === 0 ? 'text/plain' : kind === 1 ? 'text/markdown' : 'text/html',
      metadata: { n: String(i), kind: String(kind) },
    };
  });
}

/** A documents.ingest record for `doc` as an upstream producer sends it: Avro value, key `tenant:documentId`. */
export function ingestRecord(serde: Pick<Serde, 'encode'>, options: { tenant: string; version: number; doc: Pick<TestDocument, 'id' | 'content' | 'contentType' | 'metadata'> & { title: string | null } }) {
  const { tenant, doc } = options;
  const event: DocumentEvent = {
    eventId: uniqueName('e'), op: 'UPSERT', tenant, documentId: doc.id, uri: null, title: doc.title, content: doc.content,
    contentType: doc.contentType, metadata: doc.metadata, contentHash: null, chunking: 'default', embeddingModel: null, sourceTime: options.version,
  };
  return { key: `${tenant}:${doc.id}`, value: serde.encode(topics.documentsIngest, event) };
}

const embedder = createHashEmbedder({ dims: 384 });

/** The chunk texts the mesh must hold for a document, in ordinal order. */
export function expectedChunks(doc: Pick<TestDocument, 'content' | 'contentType' | 'title'>, policy = 'default'): string[] {
  const normalized = normalizeContent({ content: doc.content, contentType: doc.contentType });
  return chunkDocument({ text: normalized, title: doc.title, policy: getPolicy(policy), countTokens: (t) => embedder.countTokens(t), maxTokens: embedder.model.maxTokens }).map((c) => c.text);
}

/** A pool connected as the application role; queries go through `withTenant`. */
export function appPool(): pg.Pool {
  return new pg.Pool({ connectionString: stackEnv().databaseUrl, max: 3 });
}

/** Every chunk of a tenant as `documentId#ordinal → text`, plus row versions (xmin) to detect writes. */
export async function storeSnapshot(pool: pg.Pool, tenant: string) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('ragmesh.tenant_id', $1, true)", [tenant]);
    const chunks = await client.query<{ document_id: string; ordinal: number; text: string; xmin: string; chunk_id: string }>(
      'SELECT document_id, ordinal, text, xmin::text AS xmin, chunk_id FROM ragmesh.chunks ORDER BY document_id, ordinal',
    );
    const documents = await client.query<{ document_id: string; status: string; content_hash: string | null; chunk_count: number; xmin: string; failure_reason: string | null }>(
      'SELECT document_id, status, content_hash, chunk_count, xmin::text AS xmin, failure_reason FROM ragmesh.documents ORDER BY document_id',
    );
    await client.query('COMMIT');
    const byDocument = new Map<string, string[]>();
    for (const row of chunks.rows) byDocument.set(row.document_id, [...(byDocument.get(row.document_id) ?? []), row.text]);
    return { chunks: chunks.rows, documents: documents.rows, byDocument };
  } finally {
    client.release();
  }
}

/** Waits until consumer group `groupId` has committed up to the end of every partition of `topic`. */
export async function waitCaughtUp(kafka: Kafka, options: { groupId: string; topic: string; timeoutMs?: number }): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const ends = await admin.fetchTopicOffsets(options.topic);
        const [committed] = await admin.fetchOffsets({ groupId: options.groupId, topics: [options.topic] });
        return ends.every((end) => {
          const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          return end.high === '0' || at === end.high;
        });
      },
      { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 250, what: `${options.groupId} caught up on ${options.topic}` },
    );
  } finally {
    await admin.disconnect();
  }
}
