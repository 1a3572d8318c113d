// Postgres restarted (an immediate stop: crash recovery on start) twice while documents and
// queries flow, on a cluster of the test's own (deploy/local/postgres.sh with PG_DATADIR), never
// the machine's. Nothing is lost, duplicated or dead-lettered; no service restarts. And a database
// that answers but refuses the service (a grant missing) is a configuration problem: held, not
// dead-lettered, reported by /readyz, cured by fixing the grant.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKeyStore, migrate } from '@ragmesh/store';
import { uniqueName, waitFor } from '@ragmesh/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedChunks, makeDocuments, storeSnapshot, type TestDocument } from './corpus.js';
import { freePort, localScript, meshEnv, metricValue, root, startGroupsAtEnd, startService, stopService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

const stateDir = process.env.RAGMESH_STATE_DIR ?? join(root, '.state');
const dataDir = join(stateDir, 'pg-outage');
const tenant = uniqueName('pgout');
const services: Partial<Record<ServiceName, RunningService>> = {};
let scriptEnv: NodeJS.ProcessEnv;
let pool: pg.Pool;
let apiKey: string;
let env: Record<string, string>;
let port: number;
const documents = makeDocuments(300, { seed: 51, prefix: 'p' });

async function superuser(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/ragmesh_pgoutage` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function indexedCount(): Promise<number> {
  return (await storeSnapshot(pool, tenant)).documents.filter((d) => d.status === 'indexed').length;
}

const postgresScript = (verb: 'up' | 'down' | 'restart') => localScript('postgres', verb, scriptEnv);

async function post(documents: object[]): Promise<number> {
  const response = await fetch(`${services.gateway!.url}/v1/documents`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ documents }),
  });
  if (response.status !== 202) expect(response.headers.get('retry-after')).toBe('2');
  return response.status;
}

async function postUntilAccepted(documents: TestDocument[]): Promise<void> {
  for (;;) {
    const status = await post(documents);
    if (status === 202) return;
    expect(status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function query(text: string): Promise<number> {
  const response = await fetch(`${services.gateway!.url}/v1/query`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ query: text, topK: 3 }),
  });
  await response.body?.cancel();
  return response.status;
}

beforeAll(async () => {
  port = await freePort();
  scriptEnv = { ...process.env, PG_DATADIR: dataDir, PGPORT: String(port), RAGMESH_DB: 'ragmesh_pgoutage' };
  rmSync(dataDir, { recursive: true, force: true });
  await postgresScript('up');
  const databaseUrl = `postgres://ragmesh:ragmesh@127.0.0.1:${port}/ragmesh_pgoutage`;
  pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  pool.on('error', () => {}); // idle clients die with the server; the next query reconnects
  await migrate(pool);
  apiKey = (await createApiKeyStore(pool).create({ tenant })).key;
  env = meshEnv('pgout', { DATABASE_URL: databaseUrl, GATEWAY_PUBLISH_TIMEOUT_MS: '3000' });
  await startGroupsAtEnd(env);
  for (const name of ['indexer', 'chunk-embed', 'retriever', 'gateway'] as const) services[name] = await startService(name, env);
}, 240_000);

afterAll(async () => {
  await stopServices(services);
  await pool?.end();
  await postgresScript('down').catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
});

describe('postgres restarts', () => {
  it('indexes every accepted document exactly once across two restarts, none dead-lettered, and answers queries again', async () => {
    await postUntilAccepted(documents.slice(0, 100));
    await postgresScript('restart');
    // Documents accepted right after the first restart, then a second restart while they are in
    // flight through chunk-embed and the indexer, with queries asked across it.
    await postUntilAccepted(documents.slice(100, 200));
    const queries = [query('database restart recovery')];
    await postgresScript('restart');
    queries.push(query('write ahead log replay'));
    for (let i = 200; i < documents.length; i += 50) await postUntilAccepted(documents.slice(i, i + 50));

    await waitFor(async () => (await indexedCount()) === documents.length, {
      timeoutMs: 180_000, intervalMs: 500, what: `${documents.length} documents indexed`,
    }).catch(async (error) => {
      const statuses: Record<string, number> = {};
      for (const d of (await storeSnapshot(pool, tenant)).documents) statuses[d.status] = (statuses[d.status] ?? 0) + 1;
      const logs = (['chunk-embed', 'indexer'] as const).map((n) => `--- ${n}\n${services[n]!.logs.join('').slice(-3000)}`).join('\n');
      throw new Error(`${String(error)}: ${JSON.stringify(statuses)}\n${logs}`);
    });
    const snapshot = await storeSnapshot(pool, tenant);
    expect(snapshot.documents.map((d) => [d.document_id, d.status])).toEqual(documents.map((d) => [d.id, 'indexed']).sort());
    for (const doc of documents) expect(snapshot.byDocument.get(doc.id), doc.id).toEqual(expectedChunks(doc));
    expect(new Set(snapshot.chunks.map((c) => c.chunk_id)).size).toBe(snapshot.chunks.length);

    // Queries asked across a restart get an answer or a retryable error, never a hang or a crash;
    // once the database is back every query is answered.
    for (const status of await Promise.all(queries)) expect([200, 503, 504]).toContain(status);
    await waitFor(async () => (await query('database restart recovery')) === 200, { timeoutMs: 30_000, what: 'queries answered after the restarts' });
    for (const name of ['chunk-embed', 'indexer'] as const) expect(await metricValue(services[name]!.url, 'ragmesh_dlq_messages_total'), name).toBe(0);
    for (const name of ['chunk-embed', 'indexer', 'retriever', 'gateway'] as const) {
      expect(services[name]!.child.exitCode, `${name} still running`).toBeNull();
      expect((await fetch(`${services[name]!.url}/readyz`)).status, `${name} ready`).toBe(200);
    }
  }, 360_000);

  it('holds documents whose writes the database refuses (a grant missing): unready saying why, nothing dead-lettered, indexed once the grant is back', async () => {
    await superuser(`CREATE ROLE ragmesh_limited LOGIN PASSWORD 'limited';
      GRANT USAGE ON SCHEMA ragmesh TO ragmesh_limited;
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ragmesh TO ragmesh_limited;
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ragmesh TO ragmesh_limited;
      REVOKE INSERT ON ragmesh.chunks FROM ragmesh_limited`);
    await stopService(services.indexer!);
    services.indexer = await startService('indexer', { ...env, DATABASE_URL: `postgres://ragmesh_limited:limited@127.0.0.1:${port}/ragmesh_pgoutage` });
    const refused = makeDocuments(10, { seed: 52, prefix: 'c' });
    await postUntilAccepted(refused);

    const url = services.indexer.url;
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 503, { timeoutMs: 60_000, what: 'indexer unready' });
    const body = (await (await fetch(`${url}/readyz`)).json()) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('not_ready');
    expect(body.checks.configuration).toBe('postgres refused this service (42501): permission denied for table chunks');
    expect(body.checks.postgres).toBe('ok');
    expect(await metricValue(url, 'ragmesh_dlq_messages_total')).toBe(0);
    expect(await indexedCount()).toBe(documents.length);

    await superuser('GRANT INSERT ON ragmesh.chunks TO ragmesh_limited');
    await waitFor(async () => (await indexedCount()) === documents.length + refused.length, { timeoutMs: 90_000, intervalMs: 500, what: 'held documents indexed after the grant' });
    const snapshot = await storeSnapshot(pool, tenant);
    for (const doc of refused) expect(snapshot.byDocument.get(doc.id), doc.id).toEqual(expectedChunks(doc));
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await metricValue(url, 'ragmesh_dlq_messages_total')).toBe(0);
  }, 240_000);
});
