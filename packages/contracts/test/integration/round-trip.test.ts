import { createTestTopics, readAll, testKafka, uniqueName } from '@ragmesh/testkit';
import { stackEnv } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSerde, topics, valueSubject, type Topic, type TopicEvents } from '../../src/index.js';

const env = stackEnv();
const kafka = testKafka();
const producer = kafka.producer();
const serde = createSerde({ registryUrl: env.registryUrl, topics: Object.values(topics) });

const samples: { [T in Topic]: TopicEvents[T] } = {
  'documents.ingest': {
    eventId: 'evt-1', op: 'UPSERT', tenant: 'acme', documentId: 'doc-1', uri: 'https://example.com/a', title: 'Ünïcode title',
    content: '# Heading\n\nSome text.', contentType: 'text/markdown', metadata: { lang: 'en', team: 'search' },
    contentHash: null, chunking: 'default', embeddingModel: null, sourceTime: 1_763_700_000_123,
  },
  'vectors.upsert': {
    eventId: 'evt-1', op: 'UPSERT', tenant: 'acme', documentId: 'doc-1', version: 1_763_700_000_123, contentHash: 'ab'.repeat(32),
    uri: null, title: 'T', metadata: { lang: 'en' }, chunking: 'default', model: { id: 'all-MiniLM-L6-v2', version: '1', dims: 3 },
    part: 0, partCount: 1, chunkCount: 1,
    chunks: [{ chunkId: 'c1', ordinal: 0, text: 'Some text.', textHash: 'cd'.repeat(32), tokenCount: 3, embedding: [0.5, -0.25, 0.125] }],
    sourceTime: 1_763_700_000_123, generation: 7,
  },
  'queries.request': {
    queryId: 'q-1', tenant: 'acme', text: 'what is it?', topK: 5, mode: 'HYBRID', filter: '{"eq":{"field":"lang","value":"en"}}',
    mmr: { lambda: 0.5, fetchK: 20 }, answer: true, deadline: 1_763_700_010_000,
    replyTo: { topic: 'queries.response', partition: 2, key: 'gw-1:q-1' }, generation: null,
  },
  'queries.response': {
    queryId: 'q-1', tenant: 'acme',
    hits: [{ chunkId: 'c1', documentId: 'doc-1', title: null, uri: 'https://example.com/a', score: 0.0325, text: 'Some text.', metadata: {} }],
    timings: { total: 3.5 }, answer: { text: 'It is [1].', citations: ['c1'] }, error: null,
  },
};

beforeAll(async () => {
  await serde.register();
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
});

describe('Avro round trip through the registry and the broker', () => {
  it.each(Object.values(topics))('%s', async (topic) => {
    const physical = uniqueName(`rt-${topic}`);
    await createTestTopics(kafka, [{ topic: physical }]);
    const encoded = serde.encode(topic, samples[topic]);
    // Confluent framing: magic byte 0, then the registry's id for <topic>-value.
    expect(encoded[0]).toBe(0);
    const registeredId = await serde.registry.getLatestSchemaId(valueSubject(topic));
    expect(encoded.readUInt32BE(1)).toBe(registeredId);

    await producer.send({ topic: physical, messages: [{ key: 'acme:x', value: encoded }] });
    const [message] = await readAll(kafka, physical, { expected: 1 });
    // A second, independent serde decodes with nothing cached but the registry.
    const reader = createSerde({ registryUrl: env.registryUrl, topics: [topic] });
    expect(await reader.decode(topic, message!.value)).toEqual(samples[topic]);
  });

  it('rejects an incompatible schema change in the registry', async () => {
    const subject = valueSubject('documents.ingest');
    const latest = (await (await fetch(`${env.registryUrl}/subjects/${subject}/versions/latest`)).json()) as { schema: string };
    const current = JSON.parse(latest.schema) as { fields: object[] };
    const incompatible = { ...current, fields: [...current.fields, { name: 'mandatory', type: 'string' }] };
    const response = await fetch(`${env.registryUrl}/compatibility/subjects/${subject}/versions/latest`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(incompatible) }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ is_compatible: false });
  });
});
