// A busy model never costs the chunk/embed worker its group membership: one slice of 130
// documents whose model work takes 65 s (the `hash` embedder burning 500 ms of CPU per text, in
// the worker's model thread) under a 6 s session timeout.
import { createSerde, topics } from '@ragmesh/contracts';
import { testKafka, uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, ingestRecord, storeSnapshot } from './corpus.js';
import { meshEnv, metricValue, startGroupsAtEnd, startService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

const DOCUMENTS = 130;
const WORK_MS = 500;
const env = meshEnv('busy', { EMBEDDINGS_HASH_WORK_MS: String(WORK_MS), KAFKA_SESSION_TIMEOUT_MS: '6000', CHUNK_EMBED_MAX_BATCH: '500' });
const kafka = testKafka();
const pool = appPool();
const tenant = uniqueName('busy');
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

describe('a busy model', () => {
  it('keeps the group session through a 65 s slice: one join, every message handled once, offsets committed', async () => {
    const producer = kafka.producer();
    await producer.connect();
    let version = Date.now();
    // All on one partition, so the worker takes them as one slice and makes one model call.
    await producer.send({
      topic: topics.documentsIngest,
      messages: Array.from({ length: DOCUMENTS }, (_, i) => {
        const doc = { id: `b${i}`, title: null, content: `Busy model document ${i} about ${uniqueName('topic')}.`, contentType: 'text/plain' as const, metadata: {} };
        return { ...ingestRecord(serde, { tenant, doc, version: ++version }), partition: 0 };
      }),
    });
    await producer.disconnect();

    await waitFor(async () => (await storeSnapshot(pool, tenant)).documents.filter((d) => d.status === 'indexed').length === DOCUMENTS, {
      timeoutMs: 240_000, intervalMs: 1_000, what: `${DOCUMENTS} documents indexed`,
    });
    const url = services['chunk-embed']!.url;
    const group = env.CHUNK_EMBED_GROUP_ID!;
    expect(await metricValue(url, 'ragmesh_consumer_group_joins_total', { group })).toBe(1);
    expect(await metricValue(url, 'ragmesh_consumer_messages_total', { group })).toBe(DOCUMENTS);
    expect(await metricValue(url, 'ragmesh_embeddings_total', { source: 'model' })).toBe(DOCUMENTS);
    expect(await metricValue(url, 'ragmesh_embeddings_total', { source: 'cache' })).toBe(0);
    // The slice took at least its model time, and nothing was sent twice to the indexer.
    expect(await metricValue(url, 'ragmesh_batch_duration_seconds_sum', { group })).toBeGreaterThanOrEqual((DOCUMENTS * WORK_MS) / 1000 - 1);
    const snapshot = await storeSnapshot(pool, tenant);
    expect(snapshot.chunks).toHaveLength(DOCUMENTS);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topics.documentsIngest), admin.fetchOffsets({ groupId: group, topics: [topics.documentsIngest] })]);
      const end = ends.find((p) => p.partition === 0)!.high;
      expect(committed!.partitions.find((p) => p.partition === 0)!.offset).toBe(end);
    } finally {
      await admin.disconnect();
    }
  }, 300_000);
});
