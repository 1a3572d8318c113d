// Traces you can open: the mesh exports to a Zipkin of the test's own (deploy/local/zipkin.sh on a
// free port, in-memory storage). One document's trace runs gateway -> chunk-embed -> indexer and one
// query's gateway -> retriever -> gateway, each hop a child of the one before, with child spans for
// the Postgres, Redis and HTTP calls made inside them (OpenTelemetry's pg, ioredis and http
// instrumentations).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKeyStore, migrate } from '@ragmesh/store';
import { uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, storeSnapshot } from './corpus.js';
import { freePort, localScript, meshEnv, startGroupsAtEnd, startService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

type Span = { traceId: string; id: string; parentId?: string; name: string; kind?: string; localEndpoint?: { serviceName?: string }; tags?: Record<string, string> };

const services: Partial<Record<ServiceName, RunningService>> = {};
const pool = appPool();
const tenant = uniqueName('traces');
const stateDir = mkdtempSync(join(tmpdir(), 'ragmesh-zipkin-'));
let zipkin: string;
let scriptEnv: NodeJS.ProcessEnv;
let apiKey: string;

const zipkinScript = (verb: 'up' | 'down') => localScript('zipkin', verb, scriptEnv);

const serviceOf = (span: Span) => span.localEndpoint?.serviceName ?? '';
/** The database a client span talks to, under the current or the older semantic convention. */
const dbSystem = (span: Span) => span.tags?.['db.system.name'] ?? span.tags?.['db.system'];

/** The services along the parent chain from `span` up to the trace's root, nearest first. */
function ancestry(span: Span, byId: Map<string, Span>): string[] {
  const chain: string[] = [];
  for (let at: Span | undefined = byId.get(span.parentId ?? ''); at; at = byId.get(at.parentId ?? '')) chain.push(serviceOf(at));
  return chain;
}

async function trace(traceId: string): Promise<Span[]> {
  const response = await fetch(`${zipkin}/api/v2/trace/${traceId}`);
  return response.ok ? ((await response.json()) as Span[]) : [];
}

beforeAll(async () => {
  const port = await freePort();
  zipkin = `http://127.0.0.1:${port}`;
  scriptEnv = { ...process.env, RAGMESH_STATE_DIR: stateDir, ZIPKIN_PORT: String(port) };
  await zipkinScript('up');
  await migrate(pool);
  apiKey = (await createApiKeyStore(pool).create({ tenant })).key;
  const env = meshEnv('traces', { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${zipkin}/api/v2/spans`, OTEL_TRACES_SAMPLER: 'always_on' });
  await startGroupsAtEnd(env);
  for (const name of ['indexer', 'chunk-embed', 'retriever', 'gateway'] as const) services[name] = await startService(name, env);
}, 240_000);

afterAll(async () => {
  await stopServices(services);
  await zipkinScript('down').catch(() => {});
  rmSync(stateDir, { recursive: true, force: true });
  await pool.end();
});

describe('traces in Zipkin', () => {
  it('shows a document going gateway -> chunk-embed -> indexer, with its Postgres and HTTP calls as child spans', async () => {
    const response = await fetch(`${services.gateway!.url}/v1/documents`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ documents: [{ id: 'traced', title: 'Traced', content: 'One document followed across every Kafka hop.', contentType: 'text/plain' }] }),
    });
    expect(response.status).toBe(202);
    const traceId = response.headers.get('traceparent')?.split('-')[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await waitFor(async () => (await storeSnapshot(pool, tenant)).documents.some((d) => d.document_id === 'traced' && d.status === 'indexed'), { timeoutMs: 60_000, what: 'document indexed' });

    let spans: Span[] = [];
    await waitFor(async () => {
      spans = await trace(traceId!);
      return ['gateway', 'chunk-embed', 'indexer'].every((s) => spans.some((span) => serviceOf(span) === s && span.kind === (s === 'gateway' ? 'SERVER' : 'CONSUMER')));
    }, { timeoutMs: 30_000, what: 'the document trace in zipkin' }).catch((error) => {
      throw new Error(`${String(error)}: ${JSON.stringify(spans.map((s) => [serviceOf(s), s.kind, s.name]))}`);
    });
    const byId = new Map(spans.map((s) => [s.id, s]));
    const consumer = (service: string) => spans.find((s) => serviceOf(s) === service && s.kind === 'CONSUMER')!;
    // Each hop is a child of the one before it, back to the gateway's HTTP request.
    expect(ancestry(consumer('chunk-embed'), byId)).toContain('gateway');
    expect(ancestry(consumer('indexer'), byId)).toContain('chunk-embed');
    expect(ancestry(consumer('indexer'), byId).at(-1)).toBe('gateway');
    const root = spans.find((s) => !s.parentId)!;
    expect(serviceOf(root)).toBe('gateway');
    expect(root.kind).toBe('SERVER');
    // Instrumented calls inside the hops.
    const postgres = spans.filter((s) => dbSystem(s) === 'postgresql');
    expect(postgres.some((s) => serviceOf(s) === 'indexer')).toBe(true);
    for (const span of postgres) expect(byId.has(span.parentId ?? ''), `${span.name} has a parent in the trace`).toBe(true);
  }, 120_000);

  it('shows a query going gateway -> retriever -> gateway, with its Postgres and Redis calls as child spans', async () => {
    const response = await fetch(`${services.gateway!.url}/v1/query`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query: 'followed across every Kafka hop', topK: 3 }),
    });
    expect(response.status).toBe(200);
    const traceId = response.headers.get('traceparent')?.split('-')[1];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    let spans: Span[] = [];
    await waitFor(async () => {
      spans = await trace(traceId!);
      return spans.some((s) => serviceOf(s) === 'retriever' && s.kind === 'CONSUMER') && spans.some((s) => serviceOf(s) === 'gateway' && s.kind === 'CONSUMER');
    }, { timeoutMs: 30_000, what: 'the query trace in zipkin' }).catch((error) => {
      throw new Error(`${String(error)}: ${JSON.stringify(spans.map((s) => [serviceOf(s), s.kind, s.name, dbSystem(s)]))}`);
    });
    const byId = new Map(spans.map((s) => [s.id, s]));
    const retrieve = spans.find((s) => serviceOf(s) === 'retriever' && s.kind === 'CONSUMER')!;
    expect(ancestry(retrieve, byId).at(-1)).toBe('gateway');
    const root = spans.find((s) => !s.parentId)!;
    expect([serviceOf(root), root.kind]).toEqual(['gateway', 'SERVER']);
    // The reply comes back to the gateway: a gateway span below the retriever's.
    expect(spans.some((s) => serviceOf(s) === 'gateway' && ancestry(s, byId).includes('retriever'))).toBe(true);
    const inRetriever = (system: string) => spans.filter((s) => serviceOf(s) === 'retriever' && dbSystem(s) === system);
    expect(inRetriever('postgresql').length).toBeGreaterThan(0);
    expect(inRetriever('redis').length).toBeGreaterThan(0);
    for (const span of [...inRetriever('postgresql'), ...inRetriever('redis')]) expect(ancestry(span, byId)).toContain('retriever');
  }, 120_000);
});
