// An OpenAI-compatible embedding API that fails on purpose (429 with Retry-After, then 503) for
// the first seconds of a run: documents wait and retry, none is dead-lettered or marked failed.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createSerde, topics } from '@ragmesh/contracts';
import { testKafka, uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, ingestRecord, makeDocuments, storeSnapshot } from './corpus.js';
import { freePort, meshEnv, metricValue, startGroupsAtEnd, startService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

const DIMS = 8;
const MISBEHAVE_MS = 8_000;
const calls = { rateLimited: 0, unavailable: 0, ok: 0 };
let server: Server;
let misbehaveUntil = 0;

/** Unit vectors derived from the text, so answers are deterministic. */
function vectorOf(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  const raw = Array.from({ length: DIMS }, (_, i) => digest[i]! - 127.5);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((x) => x / norm);
}

async function startFakeApi(): Promise<string> {
  const port = await freePort();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const now = Date.now();
      if (now < misbehaveUntil) {
        // First half of the window: rate limited; second half: down.
        if (now < misbehaveUntil - MISBEHAVE_MS / 2) {
          calls.rateLimited++;
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"error":{"message":"rate limited"}}');
        } else {
          calls.unavailable++;
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}');
        }
        return;
      }
      calls.ok++;
      const { input, model } = JSON.parse(body) as { input: string[]; model: string };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        object: 'list', model, data: input.map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) })), usage: { prompt_tokens: 0, total_tokens: 0 },
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

const pool = appPool();
const kafka = testKafka();
const tenant = uniqueName('api-outage');
const services: Partial<Record<ServiceName, RunningService>> = {};
let env: Record<string, string>;

beforeAll(async () => {
  const url = await startFakeApi();
  env = meshEnv('api-outage', { EMBEDDINGS_PROVIDER: 'openai', EMBEDDINGS_BASE_URL: url, EMBEDDINGS_MODEL: 'fake-embed-8', EMBEDDINGS_DIMS: String(DIMS) });
  await startGroupsAtEnd(env);
  services.indexer = await startService('indexer', env);
  services['chunk-embed'] = await startService('chunk-embed', env);
});

afterAll(async () => {
  await stopServices(services);
  // Leave no followed generation behind for the chunk/embed workers of later files.
  await pool.query('DELETE FROM ragmesh.tenant_generations WHERE tenant_id = $1', [tenant]);
  await pool.end();
  await new Promise((resolve) => server.close(resolve));
});

describe('embedding API outage', () => {
  it('waits out 429s and 503s: every document indexed, none dead-lettered or failed', async () => {
    const serde = createSerde({ registryUrl: env.SCHEMA_REGISTRY_URL!, topics: [topics.documentsIngest] });
    await serde.register();
    const documents = makeDocuments(40, { seed: 5, prefix: 'api' });
    misbehaveUntil = Date.now() + MISBEHAVE_MS;
    const producer = kafka.producer();
    await producer.connect();
    let version = Date.now();
    await producer.send({
      topic: topics.documentsIngest,
      messages: documents.map((doc) => ingestRecord(serde, { tenant, doc, version: ++version })),
    });
    await producer.disconnect();
    await waitFor(async () => (await storeSnapshot(pool, tenant)).documents.filter((d) => d.status === 'indexed').length === documents.length, {
      timeoutMs: 120_000, intervalMs: 500, what: `${documents.length} documents indexed`,
    });
    const snapshot = await storeSnapshot(pool, tenant);
    expect(snapshot.documents.filter((d) => d.status !== 'indexed')).toEqual([]);
    expect(calls.rateLimited).toBeGreaterThan(0);
    expect(calls.unavailable).toBeGreaterThan(0);
    expect(await metricValue(services['chunk-embed']!.url, 'ragmesh_dlq_messages_total')).toBe(0);
  }, 180_000);
});
