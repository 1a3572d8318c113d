import { contentHash, normalizeContent } from '@ragmesh/chunking';
import { createSerde, topics } from '@ragmesh/contracts';
import { testKafka, uniqueName } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, expectedChunks, ingestRecord, makeDocuments, paragraph, rng, storeSnapshot, waitCaughtUp, type TestDocument } from './corpus.js';
import { meshEnv, startGroupsAtEnd, startService, stopService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

const env = meshEnv('fault', { CHUNK_EMBED_MAX_BATCH: '64', INDEXER_MAX_BATCH: '64', KAFKA_SESSION_TIMEOUT_MS: '6000' });
const kafka = testKafka();
const pool = appPool();
const tenant = uniqueName('fault');
const serde = createSerde({ registryUrl: env.SCHEMA_REGISTRY_URL!, topics: [topics.documentsIngest] });
const services: Partial<Record<ServiceName, RunningService>> = {};

beforeAll(async () => {
  await serde.register();
  await startGroupsAtEnd(env);
  services.indexer = await startService('indexer', env);
  services['chunk-embed'] = await startService('chunk-embed', env);
});

afterAll(async () => {
  await stopServices(services);
  await pool.end();
});

describe('crash safety', () => {
  it('ends with exactly the latest chunks of every document after repeated kill -9 of both workers', async () => {
    const random = rng(2024);
    const documents = makeDocuments(2000, { seed: 3, prefix: 'f' });
    const latest = new Map<string, TestDocument>(documents.map((d) => [d.id, d]));
    const updates = Array.from({ length: 300 }, () => {
      const doc = documents[Math.floor(random() * documents.length)]!;
      const next = { ...doc, content: `${paragraph(random)}\n\n${paragraph(random)}` };
      latest.set(doc.id, next);
      return next;
    });
    const producer = kafka.producer();
    await producer.connect();
    let version = Date.now();
    const toMessage = (doc: TestDocument) => ingestRecord(serde, { tenant, doc, version: ++version });

    const all = [...documents, ...updates];
    let kills = 0;
    for (let start = 0; start < all.length; start += 230) {
      await producer.send({ topic: topics.documentsIngest, messages: all.slice(start, start + 230).map(toMessage) });
      // Let the workers get into the middle of the work, then kill one of them without warning.
      await new Promise((resolve) => setTimeout(resolve, 300 + random() * 1200));
      const name: ServiceName = kills % 2 === 0 ? 'chunk-embed' : 'indexer';
      await stopService(services[name]!, 'SIGKILL');
      services[name] = await startService(name, env);
      kills++;
    }
    await producer.disconnect();
    expect(kills).toBeGreaterThanOrEqual(6);

    await waitCaughtUp(kafka, { groupId: env.CHUNK_EMBED_GROUP_ID!, topic: topics.documentsIngest, timeoutMs: 300_000 });
    await waitCaughtUp(kafka, { groupId: env.INDEXER_GROUP_ID!, topic: topics.vectorsUpsert, timeoutMs: 300_000 });

    const snapshot = await storeSnapshot(pool, tenant);
    expect(snapshot.documents).toHaveLength(documents.length);
    expect(snapshot.documents.filter((d) => d.status !== 'indexed')).toEqual([]);
    let expectedTotal = 0;
    const wrong: string[] = [];
    for (const [id, doc] of latest) {
      const expected = expectedChunks(doc);
      expectedTotal += expected.length;
      if (JSON.stringify(snapshot.byDocument.get(id) ?? []) !== JSON.stringify(expected)) wrong.push(id);
    }
    if (wrong.length > 0) {
      const later = await storeSnapshot(pool, tenant);
      const stillWrong = wrong.filter((id) => JSON.stringify(later.byDocument.get(id) ?? []) !== JSON.stringify(expectedChunks(latest.get(id)!)));
      console.log('fault test: wrong documents', wrong.length, 'still wrong later', stillWrong.length, 'updated', updates.length, 'tenant', tenant);
      for (const id of wrong.slice(0, 3)) {
        console.log('fault test: wrong', id, 'expected', expectedChunks(latest.get(id)!)[0]?.slice(0, 60), 'actual', snapshot.byDocument.get(id)?.[0]?.slice(0, 60), 'updated?', updates.some((u) => u.id === id));
      }
    }
    expect(wrong).toEqual([]);
    expect(snapshot.chunks).toHaveLength(expectedTotal);
    expect(new Set(snapshot.chunks.map((c) => `${c.document_id}#${c.ordinal}`)).size).toBe(expectedTotal);
    const hashes = new Map(snapshot.documents.map((d) => [d.document_id, d]));
    for (const [id, doc] of latest) {
      const hash = contentHash({ normalized: normalizeContent({ content: doc.content, contentType: doc.contentType }), policy: 'default', modelId: 'hash-384' });
      expect(hashes.get(id), id).toMatchObject({ status: 'indexed', content_hash: hash });
    }
  }, 600_000);
});
