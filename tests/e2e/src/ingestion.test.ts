import { createSerde, topics, type DocumentEvent } from '@ragmesh/contracts';
import { createApiKeyStore, migrate } from '@ragmesh/store';
import { readAll, testKafka, topicSize, uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, expectedChunks, makeDocuments, paragraph, rng, storeSnapshot, waitCaughtUp, type TestDocument } from './corpus.js';
import { killAll, meshEnv, startGroupsAtEnd, metricValue, startService, stopService, type RunningService } from './mesh-harness.js';

const env = meshEnv('ingestion', { MAX_DOCUMENT_BYTES: '200000' });
const kafka = testKafka();
const pool = appPool();
const tenant = uniqueName('ingest');
const services: Partial<Record<'gateway' | 'chunk-embed' | 'indexer', RunningService>> = {};
let apiKey: string;
let startOffsets: { partition: number; high: string }[];

const gateway = () => services.gateway!;
const chunkEmbed = () => services['chunk-embed']!;

async function post(documents: TestDocument[] | object[], key = apiKey) {
  const response = await fetch(`${gateway().url}/v1/documents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ documents }),
  });
  return { status: response.status, body: (await response.json()) as { documents: { id: string; contentHash: string }[] } };
}

async function postAll(documents: TestDocument[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (let i = 0; i < documents.length; i += 100) {
    const { status, body } = await post(documents.slice(i, i + 100));
    expect(status).toBe(202);
    for (const d of body.documents) hashes.set(d.id, d.contentHash);
  }
  return hashes;
}

async function statusOf(id: string) {
  const response = await fetch(`${gateway().url}/v1/documents/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { http: response.status, body: (await response.json()) as { status: string; contentHash: string; chunkCount: number; reason: string | null; version: number } };
}

async function waitIndexed(hashes: Map<string, string>) {
  await waitFor(
    async () => {
      const snapshot = await storeSnapshot(pool, tenant);
      const indexed = new Map(snapshot.documents.filter((d) => d.status === 'indexed').map((d) => [d.document_id, d.content_hash]));
      return [...hashes].every(([id, hash]) => indexed.get(id) === hash);
    },
    { timeoutMs: 120_000, intervalMs: 300, what: `${hashes.size} documents indexed` },
  );
}

const corpus = makeDocuments(300, { seed: 11 });

beforeAll(async () => {
  await migrate(pool);
  const admin = kafka.admin();
  await admin.connect();
  startOffsets = await admin.fetchTopicOffsets(topics.vectorsUpsert);
  await admin.disconnect();
  apiKey = (await createApiKeyStore(pool).create({ tenant })).key;
  await startGroupsAtEnd(env);
  services.indexer = await startService('indexer', env);
  services['chunk-embed'] = await startService('chunk-embed', env);
  services.gateway = await startService('gateway', env);
});

afterAll(async () => {
  for (const service of Object.values(services)) if (service) await stopService(service);
  killAll();
  await pool.end();
});

describe('ingestion through the real mesh', () => {
  it('indexes a few hundred documents into exactly the expected chunks', async () => {
    const hashes = await postAll(corpus);
    expect(hashes.size).toBe(300);
    await waitIndexed(hashes);
    const snapshot = await storeSnapshot(pool, tenant);
    for (const doc of corpus) expect(snapshot.byDocument.get(doc.id) ?? [], doc.id).toEqual(expectedChunks(doc));
    const total = corpus.reduce((n, d) => n + expectedChunks(d).length, 0);
    expect(snapshot.chunks).toHaveLength(total);
    expect(new Set(snapshot.chunks.map((c) => c.chunk_id)).size).toBe(total);
    const status = await statusOf(corpus[0]!.id);
    expect(status.body).toMatchObject({ status: 'indexed', contentHash: hashes.get(corpus[0]!.id), chunkCount: expectedChunks(corpus[0]!).length });
  });

  it('ingests the same documents again without writing a row or calling the model', async () => {
    const before = await storeSnapshot(pool, tenant);
    const modelBefore = await metricValue(chunkEmbed().url, 'ragmesh_embeddings_total', { source: 'model' });
    const callsBefore = await metricValue(chunkEmbed().url, 'ragmesh_embedding_model_calls_total');
    const skippedBefore = await metricValue(chunkEmbed().url, 'ragmesh_documents_total', { outcome: 'skipped_unchanged' });
    await postAll(corpus);
    await waitFor(async () => (await metricValue(chunkEmbed().url, 'ragmesh_documents_total', { outcome: 'skipped_unchanged' })) - skippedBefore >= corpus.length, {
      timeoutMs: 60_000,
      what: 'second pass skipped',
    });
    await waitCaughtUp(kafka, { groupId: env.INDEXER_GROUP_ID!, topic: topics.vectorsUpsert });
    expect(await metricValue(chunkEmbed().url, 'ragmesh_embedding_model_calls_total')).toBe(callsBefore);
    expect(await metricValue(chunkEmbed().url, 'ragmesh_embeddings_total', { source: 'model' })).toBe(modelBefore);
    const after = await storeSnapshot(pool, tenant);
    expect(after.chunks).toEqual(before.chunks);
    expect(after.documents.map((d) => [d.document_id, d.xmin])).toEqual(before.documents.map((d) => [d.document_id, d.xmin]));
  });

  it('replaces the chunks of an updated document', async () => {
    const doc = corpus[1]!;
    const updated = { ...doc, content: `${paragraph(rng(99))}\n\n${paragraph(rng(100))}` };
    const hashes = await postAll([updated]);
    await waitIndexed(hashes);
    const snapshot = await storeSnapshot(pool, tenant);
    expect(snapshot.byDocument.get(doc.id)).toEqual(expectedChunks(updated));
    const oldOnly = expectedChunks(doc).filter((t) => !expectedChunks(updated).includes(t));
    for (const text of oldOnly) expect(snapshot.chunks.some((c) => c.text === text && c.document_id === doc.id)).toBe(false);
  });

  it('embeds again only the chunks an edit changed in a 100-chunk document', async () => {
    const random = rng(5);
    const paragraphs = Array.from({ length: 420 }, () => paragraph(random, 4));
    const big: TestDocument = { id: 'big-doc', title: 'Big', content: paragraphs.join('\n\n'), contentType: 'text/markdown', metadata: {} };
    expect(expectedChunks(big).length).toBeGreaterThanOrEqual(100);
    await waitIndexed(await postAll([big]));
    const modelBefore = await metricValue(chunkEmbed().url, 'ragmesh_embeddings_total', { source: 'model' });
    // The edit names this run's tenant: Redis keeps vectors across runs, and an edit seen before would be a cache hit.
    const edited = { ...big, content: [...paragraphs.slice(0, 150), `${paragraphs[150]} An edited sentence about ${tenant} lands here.`, ...paragraphs.slice(151)].join('\n\n') };
    await waitIndexed(await postAll([edited]));
    const embeddedAgain = (await metricValue(chunkEmbed().url, 'ragmesh_embeddings_total', { source: 'model' })) - modelBefore;
    expect(embeddedAgain).toBeGreaterThanOrEqual(1);
    expect(embeddedAgain).toBeLessThanOrEqual(3);
    expect((await storeSnapshot(pool, tenant)).byDocument.get('big-doc')).toEqual(expectedChunks(edited));
  });

  it('deletes a document and all its chunks', async () => {
    const id = corpus[2]!.id;
    const response = await fetch(`${gateway().url}/v1/documents/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${apiKey}` } });
    expect(response.status).toBe(202);
    await waitFor(async () => (await statusOf(id)).body.status === 'deleted', { timeoutMs: 60_000, what: 'deleted' });
    const snapshot = await storeSnapshot(pool, tenant);
    expect(snapshot.byDocument.has(id)).toBe(false);
    expect((await statusOf(id)).body.chunkCount).toBe(0);
  });

  it('handles the same key twice in one batch from a direct Avro producer', async () => {
    const serde = createSerde({ registryUrl: env.SCHEMA_REGISTRY_URL!, topics: [topics.documentsIngest] });
    await serde.register();
    const producer = kafka.producer();
    await producer.connect();
    const event = (content: string, sourceTime: number): DocumentEvent => ({
      eventId: uniqueName('evt'), op: 'UPSERT', tenant, documentId: 'twice', uri: null, title: 'Twice', content, contentType: 'text/plain',
      metadata: {}, contentHash: null, chunking: 'default', embeddingModel: null, sourceTime,
    });
    const now = Date.now();
    await producer.send({
      topic: topics.documentsIngest,
      messages: [
        { key: `${tenant}:twice`, value: serde.encode(topics.documentsIngest, event('First version of the text.', now)) },
        { key: `${tenant}:twice`, value: serde.encode(topics.documentsIngest, event('Second version of the text.', now + 1)) },
      ],
    });
    await producer.disconnect();
    await waitFor(async () => (await storeSnapshot(pool, tenant)).byDocument.get('twice')?.[0] === 'Second version of the text.', { timeoutMs: 60_000, what: 'second version indexed' });
    expect((await storeSnapshot(pool, tenant)).byDocument.get('twice')).toEqual(['Second version of the text.']);
  });

  it('changes nothing when the indexer is sought back and everything is redelivered', async () => {
    await waitCaughtUp(kafka, { groupId: env.INDEXER_GROUP_ID!, topic: topics.vectorsUpsert });
    const before = await storeSnapshot(pool, tenant);
    await stopService(services.indexer!);
    const admin = kafka.admin();
    await admin.connect();
    // Back to where this run's indexer started: everything it consumed is delivered again.
    await admin.setOffsets({ groupId: env.INDEXER_GROUP_ID!, topic: topics.vectorsUpsert, partitions: startOffsets.map((p) => ({ partition: p.partition, offset: p.high })) });
    await admin.disconnect();
    services.indexer = await startService('indexer', env);
    await waitCaughtUp(kafka, { groupId: env.INDEXER_GROUP_ID!, topic: topics.vectorsUpsert });
    const after = await storeSnapshot(pool, tenant);
    expect(after.chunks).toEqual(before.chunks);
    expect(after.documents).toEqual(before.documents);
  });

  it('sends poison events to the DLQ, keeps going, and reports the document failed', async () => {
    const dlqBefore = await metricValue(chunkEmbed().url, 'ragmesh_dlq_messages_total');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.documentsIngest, messages: [{ key: `${tenant}:garbage`, value: Buffer.from('not avro') }] });
    await producer.disconnect();
    const tooLarge = await post([{ id: 'too-large', content: 'x '.repeat(150_000), title: 'Large' }]);
    expect(tooLarge.status).toBe(202);
    const after = await postAll([{ id: 'after-poison', title: 'After', content: 'Indexed after the poison events.', contentType: 'text/plain', metadata: {} }]);
    await waitIndexed(after);
    await waitFor(async () => (await statusOf('too-large')).body.status === 'failed', { timeoutMs: 60_000, what: 'too-large failed' });
    expect((await statusOf('too-large')).body.reason).toMatch(/DOCUMENT_TOO_LARGE/);
    expect((await statusOf('garbage')).body).toMatchObject({ status: 'failed' });
    expect((await statusOf('garbage')).body.reason).toMatch(/UNDECODABLE/);
    expect((await metricValue(chunkEmbed().url, 'ragmesh_dlq_messages_total')) - dlqBefore).toBe(2);
    const dlqTopic = `${topics.documentsIngest}.dlq`;
    const dlq = await readAll(kafka, dlqTopic, { expected: await topicSize(kafka, dlqTopic) });
    expect(dlq.some((m) => m.key?.toString() === `${tenant}:garbage` && m.value?.toString() === 'not avro')).toBe(true);
  });

  it('keeps each tenant to its own rows', async () => {
    const other = await storeSnapshot(pool, uniqueName('other-tenant'));
    expect(other.chunks).toHaveLength(0);
    expect(other.documents).toHaveLength(0);
    const unauthorized = await fetch(`${gateway().url}/v1/documents/${corpus[0]!.id}`, { headers: { authorization: 'Bearer wrong' } });
    expect(unauthorized.status).toBe(401);
  });
});
