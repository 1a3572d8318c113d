import type { Server } from 'node:http';
import { createSerde, topics, type DocumentEvent } from '@ragmesh/contracts';
import { createLogger } from '@ragmesh/telemetry';
import { startTelemetry } from '@ragmesh/telemetry/sdk';
import { createTestTopics, readAll, stackEnv, testKafka, uniqueName, waitFor } from '@ragmesh/testkit';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerWorker, dlqHeaders, startHealthServer, WorkerError, type ConsumerWorker } from '../../src/index.js';

const env = stackEnv();
const telemetry = startTelemetry({ service: 'worker-runtime-test' });
const kafka = testKafka();
const serde = createSerde({ registryUrl: env.registryUrl, topics: [topics.documentsIngest] });
const topic = uniqueName('it-ingest');
const groupId = uniqueName('g');
const logger = createLogger({ service: 'test', silent: true });
const handled: string[] = [];
let flakyFailures = 0;
let producer: Producer;
let worker: ConsumerWorker;
let health: Server & { url: string };

const event = (id: string): DocumentEvent => ({
  eventId: id, op: 'UPSERT', tenant: 't', documentId: id, uri: null, title: null, content: 'x', contentType: 'text/plain',
  metadata: {}, contentHash: null, chunking: 'default', embeddingModel: null, sourceTime: 1,
});

beforeAll(async () => {
  await serde.register();
  await createTestTopics(kafka, [{ topic }, { topic: `${topic}.dlq` }]);
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  worker = createConsumerWorker({
    kafka, producer, serde, logger, topic: topics.documentsIngest, topicName: topic, groupId,
    backoff: { attempts: 3, initialMs: 20, maxMs: 50 },
    handler: async (messages) => {
      for (const { event: e } of messages) {
        if (e.eventId === 'poison') throw new WorkerError('HANDLER_FAILED', 'document cannot be handled');
        if (e.eventId === 'flaky' && flakyFailures++ === 0) throw new WorkerError('HANDLER_FAILED', 'try again', { retriable: true });
      }
      for (const { event: e } of messages) handled.push(e.eventId);
    },
  });
  await worker.start();
  health = await startHealthServer({ port: 0, host: '127.0.0.1', checks: { kafka: () => undefined }, metricsHandler: telemetry.metricsHandler });
});

afterAll(async () => {
  await worker.stop();
  await producer.disconnect();
  health.close();
  await telemetry.shutdown();
});

describe('consumer worker against the real broker', () => {
  it('routes undecodable and failing messages to the DLQ with headers and keeps the partition moving', async () => {
    const garbage = Buffer.from('not avro at all');
    await producer.send({
      topic,
      messages: [
        { key: 't:a', value: serde.encode(topics.documentsIngest, event('a')) },
        { key: 't:garbage', value: garbage, headers: { origin: 'test' } },
        { key: 't:poison', value: serde.encode(topics.documentsIngest, event('poison')) },
        { key: 't:flaky', value: serde.encode(topics.documentsIngest, event('flaky')) },
        { key: 't:b', value: serde.encode(topics.documentsIngest, event('b')) },
      ],
    });

    await waitFor(() => handled.includes('b'), { what: 'message after the poison ones', timeoutMs: 30_000 });
    // The batch failed as a whole, so its good messages were handled one by one: each exactly once.
    expect([...handled].sort()).toEqual(['a', 'b', 'flaky']);

    const dlq = await readAll(kafka, `${topic}.dlq`, { expected: 2 });
    expect(dlq).toHaveLength(2);
    const [undecodable, poison] = dlq.sort((x, y) => Number(x.headers[dlqHeaders.sourceOffset]) - Number(y.headers[dlqHeaders.sourceOffset]));
    expect(undecodable!.value).toEqual(garbage);
    expect(undecodable!.key?.toString()).toBe('t:garbage');
    expect(undecodable!.headers).toMatchObject({
      origin: 'test',
      [dlqHeaders.errorCode]: 'UNDECODABLE',
      [dlqHeaders.sourceTopic]: topic,
      [dlqHeaders.sourcePartition]: '0',
      [dlqHeaders.sourceOffset]: '1',
      [dlqHeaders.attempts]: '1',
    });
    expect(poison!.headers).toMatchObject({
      [dlqHeaders.errorCode]: 'HANDLER_FAILED',
      [dlqHeaders.errorMessage]: 'document cannot be handled',
      [dlqHeaders.sourceOffset]: '2',
    });
    expect(poison!.value).toEqual(serde.encode(topics.documentsIngest, event('poison')));
  });

  it('commits the offset past the last message', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(offsets[0]!.partitions[0]!.offset).toBe('5');
    } finally {
      await admin.disconnect();
    }
  });

  it('exposes lag, batch and DLQ metrics in Prometheus text', async () => {
    const text = await (await fetch(`${health.url}/metrics`)).text();
    expect(text).toMatch(new RegExp(`ragmesh_dlq_messages_total\\{[^}]*code="UNDECODABLE"[^}]*\\} 1`));
    expect(text).toMatch(new RegExp(`ragmesh_consumer_lag\\{[^}]*topic="${topic}"[^}]*partition="0"[^}]*\\} 0`));
    expect(text).toContain('ragmesh_batch_duration_seconds_bucket');
    expect(text).toMatch(/ragmesh_consumer_retries_total\{[^}]*\} [1-9]/);
    const ready = await fetch(`${health.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
