import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSerde, topics, type DocumentEvent } from '@ragmesh/contracts';
import { createTestTopics, stackEnv, testKafka, uniqueName, waitFor } from '@ragmesh/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const env = stackEnv();
const kafka = testKafka();
const serde = createSerde({ registryUrl: env.registryUrl, topics: [topics.documentsIngest] });
const topic = uniqueName('it-shutdown');
const table = `test_shutdown_${topic.split('-').pop()}`;
const total = 600;
const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 2 });
const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/recording-worker.mjs');
const children: ChildProcess[] = [];

function startWorker(groupId: string): Promise<ChildProcess> {
  const child = fork(fixture, [], {
    env: { ...process.env, TOPIC: topic, GROUP_ID: groupId, TABLE: table, DATABASE_URL: env.databaseUrl, SCHEMA_REGISTRY_URL: env.registryUrl, KAFKA_BROKERS: env.brokers.join(','), DELAY_MS: '15' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, ms: Date.now() - started })));
}

const count = async () => (await pool.query<{ n: number; d: number }>(`SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM ${table}`)).rows[0]!;

beforeAll(async () => {
  await serde.register();
  await createTestTopics(kafka, [{ topic, partitions: 3 }, { topic: `${topic}.dlq`, partitions: 3 }]);
  await pool.query(`CREATE TABLE ${table} (event_id text NOT NULL)`);
  const producer = kafka.producer();
  await producer.connect();
  const event = (i: number): DocumentEvent => ({
    eventId: `e-${i}`, op: 'UPSERT', tenant: 't', documentId: `d-${i}`, uri: null, title: null, content: 'x', contentType: 'text/plain',
    metadata: {}, contentHash: null, chunking: 'default', embeddingModel: null, sourceTime: i,
  });
  await producer.send({ topic, messages: Array.from({ length: total }, (_, i) => ({ key: `t:d-${i}`, value: serde.encode(topics.documentsIngest, event(i)) })) });
  await producer.disconnect();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.end();
});

describe('worker shutdown on SIGTERM', () => {
  it('finishes the batch in flight, commits, exits 0, and after restart loses and duplicates nothing', async () => {
    const groupId = uniqueName('g');
    const first = await startWorker(groupId);
    await waitFor(async () => (await count()).n >= 100, { what: 'some messages handled', timeoutMs: 60_000 });
    const exited = exitOf(first);
    first.kill('SIGTERM');
    const { code, ms } = await exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(20_000);
    const atStop = await count();
    expect(atStop.n).toBeLessThan(total);
    expect(atStop.n).toBe(atStop.d);

    const second = await startWorker(groupId);
    await waitFor(async () => (await count()).n >= total, { what: 'all messages handled', timeoutMs: 90_000 });
    // Give a duplicate delivery time to show up before the final count.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await count()).toEqual({ n: total, d: total });
    const secondExit = exitOf(second);
    second.kill('SIGTERM');
    expect((await secondExit).code).toBe(0);
  });
});
