import { createServer, type Server } from 'node:http';
import { createApiKeyStore, migrate } from '@ragmesh/store';
import { uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, storeSnapshot } from './corpus.js';
import { freePort, killAll, meshEnv, startGroupsAtEnd, startService, stopService, type RunningService } from './mesh-harness.js';

// A stand-in for an OpenAI-compatible chat-completions server that streams a fixed answer.
async function startFakeLlm(): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const piece of ['Kafka keeps ', 'order per partition [1].']) res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}` };
}

const pool = appPool();
const tenant = uniqueName('query');
const otherTenant = uniqueName('query-other');
const running: RunningService[] = [];
let gateways: RunningService[] = [];
let llm: { server: Server; url: string };
let key: string;
let otherKey: string;
let env: Record<string, string>;

const corpus = [
  { id: 'kafka', title: 'Kafka ordering', content: 'Kafka keeps the order of records within one partition. Keys choose the partition.', metadata: { team: 'streams', year: '2021' } },
  { id: 'postgres', title: 'Postgres vectors', content: 'Postgres with pgvector stores embeddings and answers nearest neighbour queries with an HNSW index.', metadata: { team: 'storage', year: '2023' } },
  { id: 'redis', title: 'Redis caching', content: 'Redis caches embeddings and query results so repeated work costs nothing.', metadata: { team: 'storage', year: '2024' } },
  { id: 'avro', title: 'Avro contracts', content: 'Avro schemas in a registry keep producers and consumers compatible as events evolve.', metadata: { team: 'streams', year: '2022' } },
];

async function ingest(apiKey: string, documents: object[]) {
  const response = await fetch(`${gateways[0]!.url}/v1/documents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ documents }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { documents: { id: string; contentHash: string }[] }).documents;
}

async function query(body: object, options: { gateway?: RunningService; apiKey?: string; accept?: string } = {}) {
  const response = await fetch(`${(options.gateway ?? gateways[0]!).url}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey ?? key}`, accept: options.accept ?? 'application/json' },
    body: JSON.stringify(body),
  });
  return response;
}

beforeAll(async () => {
  await migrate(pool);
  llm = await startFakeLlm();
  env = meshEnv('query', { LLM_BASE_URL: llm.url, GATEWAY_QUERY_TIMEOUT_MS: '5000', KAFKA_SESSION_TIMEOUT_MS: '6000' });
  key = (await createApiKeyStore(pool).create({ tenant })).key;
  otherKey = (await createApiKeyStore(pool).create({ tenant: otherTenant })).key;
  await startGroupsAtEnd(env);
  for (const name of ['indexer', 'chunk-embed', 'retriever', 'retriever'] as const) running.push(await startService(name, env));
  gateways = [await startService('gateway', env), await startService('gateway', env)];
  // Both gateways must own reply partitions before they are ready.
  await ingest(key, corpus);
  await ingest(otherKey, [{ id: 'secret', title: 'Other tenant', content: 'Kafka partition secrets of another tenant.' }]);
  await waitFor(async () => (await storeSnapshot(pool, tenant)).documents.filter((d) => d.status === 'indexed').length === corpus.length, { timeoutMs: 60_000, what: 'corpus indexed' });
  await waitFor(async () => (await storeSnapshot(pool, otherTenant)).documents.length === 1, { timeoutMs: 60_000, what: 'other tenant indexed' });
});

afterAll(async () => {
  for (const service of [...gateways, ...running]) await stopService(service);
  killAll();
  llm.server.close();
  await pool.end();
});

describe('queries through the real mesh', () => {
  it('finds the document sharing only some words of a long question, in every mode', async () => {
    for (const mode of ['sparse', 'dense', 'hybrid']) {
      const response = await query({ query: 'In what way does Kafka keep the order of the records that I send?', mode, topK: 2 });
      expect(response.status, mode).toBe(200);
      const body = (await response.json()) as { hits: { documentId: string; title: string; text: string }[]; queryId: string };
      expect(body.hits[0], mode).toMatchObject({ documentId: 'kafka', title: 'Kafka ordering' });
      expect(body.hits.length).toBeLessThanOrEqual(2);
      expect(response.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-/);
    }
  });

  it('applies a metadata filter', async () => {
    const response = await query({ query: 'Kafka order partition Postgres Redis Avro', mode: 'sparse', filter: { and: [{ eq: { field: 'team', value: 'storage' } }, { range: { field: 'year', gte: 2024 } }] } });
    const body = (await response.json()) as { hits: { documentId: string }[] };
    expect(body.hits.map((h) => h.documentId)).toEqual(['redis']);
  });

  it('never returns another tenant\'s chunks', async () => {
    const response = await query({ query: 'Kafka partition secrets', mode: 'sparse', topK: 10 });
    const body = (await response.json()) as { hits: { documentId: string }[] };
    expect(body.hits.map((h) => h.documentId)).not.toContain('secret');
    const other = (await (await query({ query: 'Kafka partition secrets', mode: 'sparse' }, { apiKey: otherKey })).json()) as { hits: { documentId: string }[] };
    expect(other.hits.map((h) => h.documentId)).toEqual(['secret']);
  });

  it('routes every reply to the gateway instance that asked', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => query({ query: i % 2 ? 'Redis caches results' : 'Avro schema registry', mode: 'sparse', topK: 1 }, { gateway: gateways[i % 2] })),
    );
    const bodies = (await Promise.all(results.map((r) => r.json()))) as { hits: { documentId: string }[] }[];
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(bodies.map((b) => b.hits[0]?.documentId)).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 ? 'redis' : 'avro')));
  });

  it('streams hits, answer tokens and done over SSE, citing chunk ids', async () => {
    const response = await query({ query: 'How does Kafka keep order?', topK: 2, answer: true }, { accept: 'text/event-stream' });
    const frames = (await response.text()).trim().split('\n\n').map((frame) => {
      const lines = frame.split('\n');
      return { event: lines[0]!.slice('event: '.length), data: JSON.parse(lines[1]!.slice('data: '.length)) };
    });
    expect(frames.map((f) => f.event)).toEqual(['hits', 'token', 'token', 'done']);
    const firstChunk = frames[0]!.data.hits[0].chunkId;
    expect(frames[3]!.data.answer).toEqual({ text: 'Kafka keeps order per partition [1].', citations: [firstChunk] });
  });

  it('invalidates a cached result when the tenant\'s corpus changes', async () => {
    const ask = async () => ((await (await query({ query: 'vector caching', mode: 'sparse', topK: 5 })).json()) as { hits: { documentId: string }[] }).hits.map((h) => h.documentId);
    const before = await ask();
    expect(before).not.toContain('cache-notes');
    await ingest(key, [{ id: 'cache-notes', title: 'Notes', content: 'Vector caching notes: caching vectors saves work.' }]);
    await waitFor(async () => (await storeSnapshot(pool, tenant)).documents.some((d) => d.document_id === 'cache-notes' && d.status === 'indexed'), { timeoutMs: 60_000, what: 'notes indexed' });
    expect(await ask()).toContain('cache-notes');
  });

  it('answers 504 when no retriever replies before the deadline', async () => {
    for (const service of running.filter((s) => s.name === 'retriever')) await stopService(service, 'SIGKILL');
    const started = Date.now();
    const response = await query({ query: 'anything at all' });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('DEADLINE_EXCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
  });
});
