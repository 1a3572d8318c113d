import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** Addresses of the local stack (`make stack-up`), overridable by the usual variables. */
export function stackEnv(env: Record<string, string | undefined> = process.env) {
  return {
    brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    registryUrl: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    databaseUrl: env.DATABASE_URL ?? 'postgres://ragmesh:ragmesh@127.0.0.1:5432/ragmesh',
    superuserDatabaseUrl: env.TEST_SUPERUSER_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ragmesh',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
  };
}

/** A unique name for a test's own topic, group or tenant. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A quiet kafkajs client for tests. */
export function testKafka(clientId = 'ragmesh-test'): Kafka {
  return new Kafka({ clientId, brokers: stackEnv().brokers, logLevel: logLevel.NOTHING });
}

/** Creates topics (with a `.dlq` twin when asked) for one test. */
export async function createTestTopics(kafka: Kafka, topics: { topic: string; partitions?: number }[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions ?? 1 })) });
  } finally {
    await admin.disconnect();
  }
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** Reads every message currently in `topic` (all partitions) with a throwaway consumer group. */
export async function readAll(kafka: Kafka, topic: string, options: { expected: number; timeoutMs?: number }) {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const messages: { partition: number; offset: string; key: Buffer | null; value: Buffer | null; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      messages.push({ partition, offset: message.offset, key: message.key, value: message.value, headers });
    },
  });
  try {
    await waitFor(() => messages.length >= options.expected, { timeoutMs: options.timeoutMs ?? 30_000, what: `${options.expected} messages in ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Number of records currently in `topic` (sum over partitions of high - low watermark). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
