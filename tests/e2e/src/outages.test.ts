// Outages ridden out without a person: the broker killed (-9) and restarted by the stack's own
// script while documents flow in, and a Redis of the test's own stopped and started again.
// Nothing is lost, duplicated or dead-lettered; a cache outage costs only the caching.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKeyStore, migrate } from '@ragmesh/store';
import { uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, expectedChunks, makeDocuments, storeSnapshot, type TestDocument } from './corpus.js';
import { freePort, meshEnv, metricValue, root, startGroupsAtEnd, startService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

const stateDir = process.env.RAGMESH_STATE_DIR ?? join(root, '.state');
const pool = appPool();
const tenant = uniqueName('outage');
const services: Partial<Record<ServiceName, RunningService>> = {};
let redis: { port: number; dir: string; child?: ChildProcess };
let env: Record<string, string>;
let apiKey: string;

function startRedis(): Promise<void> {
  const child = spawn('redis-server', ['--port', String(redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redis.dir], { stdio: 'ignore' });
  redis.child = child;
  return waitFor(() => new Promise<boolean>((resolve) => execFile('redis-cli', ['-p', String(redis.port), 'ping'], (error, out) => resolve(!error && out.trim() === 'PONG'))), {
    timeoutMs: 10_000, what: 'test redis up',
  }).then(() => undefined);
}

async function stopRedis(): Promise<void> {
  const child = redis.child;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** The stack's own scripts, with the environment the private stack gave this run. */
function stackScript(component: 'kafka' | 'apicurio', verb: 'up' | 'down'): Promise<number> {
  return new Promise((resolve) => execFile(join(root, `deploy/local/${component}.sh`), [verb], { env: process.env }, (error) => resolve(error ? 1 : 0)));
}

async function post(documents: object[]) {
  const response = await fetch(`${services.gateway!.url}/v1/documents`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ documents }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

async function query(text: string) {
  const response = await fetch(`${services.gateway!.url}/v1/query`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ query: text, topK: 3 }),
  });
  return response.status;
}

async function readyz(name: ServiceName) {
  const response = await fetch(`${services[name]!.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; degraded?: string[] } };
}

/** Posts until accepted: what a client does with 503 + Retry-After. */
async function postUntilAccepted(documents: TestDocument[]): Promise<void> {
  for (;;) {
    const { status, retryAfter } = await post(documents);
    if (status === 202) return;
    expect(status).toBe(503);
    expect(retryAfter).toBe('2');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function expectExactlyIndexed(documents: TestDocument[]) {
  await waitFor(async () => (await storeSnapshot(pool, tenant)).documents.filter((d) => d.status === 'indexed').length === documents.length, {
    timeoutMs: 180_000, intervalMs: 500, what: `${documents.length} documents indexed`,
  });
  const snapshot = await storeSnapshot(pool, tenant);
  expect(snapshot.documents.map((d) => d.status)).toEqual(documents.map(() => 'indexed'));
  for (const doc of documents) expect(snapshot.byDocument.get(doc.id), doc.id).toEqual(expectedChunks(doc));
  expect(new Set(snapshot.chunks.map((c) => c.chunk_id)).size).toBe(snapshot.chunks.length);
}

beforeAll(async () => {
  // This file kills the broker: only ever the private stack's (make test), never the one of make up.
  if (!/[/]\.state[/]test$/.test(process.env.RAGMESH_STATE_DIR ?? '')) throw new Error('outages.test.ts kills the broker: run it through make test or deploy/local/private-stack.sh test');
  redis = { port: await freePort(), dir: mkdtempSync(join(tmpdir(), 'ragmesh-redis-')) };
  await startRedis();
  env = meshEnv('outage', { REDIS_URL: `redis://127.0.0.1:${redis.port}/0`, GATEWAY_PUBLISH_TIMEOUT_MS: '3000' });
  await migrate(pool);
  apiKey = (await createApiKeyStore(pool).create({ tenant })).key;
  await startGroupsAtEnd(env);
  for (const name of ['indexer', 'chunk-embed', 'retriever', 'gateway'] as const) services[name] = await startService(name, env);
}, 180_000);

afterAll(async () => {
  await stopServices(services);
  await stopRedis();
  await pool.end();
});

describe('outages', () => {
  // Grows as the tests add documents: each checks the tenant's whole store.
  const documents = makeDocuments(300, { seed: 41, prefix: 'o' });

  it('rides out a broker killed -9 and restarted: every accepted document indexed once, none dead-lettered', async () => {
    const pid = Number(readFileSync(join(stateDir, 'pids/kafka.pid'), 'utf8'));
    expect(pid).toBeGreaterThan(0);
    await postUntilAccepted(documents.slice(0, 100));
    process.kill(pid, 'SIGKILL');
    // While the broker is down: the gateway says 503 with Retry-After, it never hangs or lies.
    const during = await post(documents.slice(100, 101));
    expect(during.status).toBe(503);
    expect(await stackScript('kafka', 'up')).toBe(0);
    for (let i = 100; i < documents.length; i += 50) await postUntilAccepted(documents.slice(i, i + 50));
    await expectExactlyIndexed(documents);
    for (const name of ['chunk-embed', 'indexer'] as const) expect(await metricValue(services[name]!.url, 'ragmesh_dlq_messages_total'), name).toBe(0);
    for (const name of ['chunk-embed', 'indexer', 'retriever', 'gateway'] as const) expect(services[name]!.child.exitCode, `${name} still running`).toBeNull();
  }, 300_000);

  it('keeps documents and queries flowing while the schema registry is down (known schema ids are cached)', async () => {
    expect(await stackScript('apicurio', 'down')).toBe(0);
    try {
      const during = makeDocuments(20, { seed: 43, prefix: 'g' });
      expect((await post(during)).status).toBe(202);
      expect(await query('schema registry replay')).toBe(200);
      await expectExactlyIndexed([...documents, ...during]);
      for (const name of ['chunk-embed', 'indexer', 'retriever', 'gateway'] as const) {
        const ready = await readyz(name);
        expect(ready.status, name).toBe(200);
        expect(ready.body).toMatchObject({ status: 'degraded', degraded: ['registry'] });
      }
      for (const name of ['chunk-embed', 'indexer'] as const) expect(await metricValue(services[name]!.url, 'ragmesh_dlq_messages_total'), name).toBe(0);
      documents.push(...during);
    } finally {
      expect(await stackScript('apicurio', 'up')).toBe(0);
    }
  }, 240_000);

  it('keeps ingesting and answering without Redis, reports itself degraded (not unready), and caches again once Redis is back', async () => {
    await stopRedis();
    const more = makeDocuments(20, { seed: 42, prefix: 'r' });
    expect((await post(more)).status).toBe(202);
    expect(await query('kafka partition offset')).toBe(200);
    await expectExactlyIndexed([...documents, ...more]);
    for (const name of ['chunk-embed', 'retriever'] as const) {
      const ready = await readyz(name);
      expect(ready.status, name).toBe(200);
      expect(ready.body).toMatchObject({ status: 'degraded', degraded: ['redis'] });
    }

    await startRedis();
    await waitFor(async () => (await readyz('chunk-embed')).body.status === 'ready', { timeoutMs: 30_000, what: 'chunk-embed ready with Redis again' });
    // The same texts under new ids: embedded once into the fresh cache, then served from it.
    const url = services['chunk-embed']!.url;
    const copy = (prefix: string) => more.slice(0, 5).map((d) => ({ ...d, id: `${prefix}-${d.id}` }));
    const indexed = async () => (await storeSnapshot(pool, tenant)).documents.filter((d) => d.status === 'indexed').length;
    expect((await post(copy('first'))).status).toBe(202);
    await waitFor(async () => (await indexed()) === documents.length + more.length + 5, { timeoutMs: 60_000, what: 'first copies indexed' });
    const cachedBefore = await metricValue(url, 'ragmesh_embeddings_total', { source: 'cache' });
    expect((await post(copy('second'))).status).toBe(202);
    await waitFor(async () => (await indexed()) === documents.length + more.length + 10, { timeoutMs: 60_000, what: 'second copies indexed' });
    expect(await metricValue(url, 'ragmesh_embeddings_total', { source: 'cache' })).toBeGreaterThan(cachedBefore);
  }, 240_000);
});
