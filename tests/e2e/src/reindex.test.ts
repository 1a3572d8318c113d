// Re-index generations through the real mesh and the real CLI: a tenant indexed with
// all-MiniLM-L6-v2 moves to bge-small-en-v1.5 while a query loop runs, with updates, deletes and
// a kill -9 of the chunk/embed worker during the replay; then cutover, rollback, cancel, retire.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkDocument, getPolicy, normalizeContent } from '@ragmesh/chunking';
import { createEmbedder, type Embedder } from '@ragmesh/embeddings';
import { createApiKeyStore, migrate, withTenant } from '@ragmesh/store';
import { stackEnv, uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, makeDocuments, type TestDocument } from './corpus.js';
import { meshEnv, root, runCli, startGroupsAtEnd, startService, stopService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

const env = meshEnv('reindex', { EMBEDDINGS_PROVIDER: 'local', EMBEDDINGS_MODEL: 'all-MiniLM-L6-v2', EMBEDDINGS_DIMS: '384', LOG_LEVEL: 'warn' });
const pool = appPool();
const tenant = uniqueName('reindex');
const services: Partial<Record<ServiceName, RunningService>> = {};
let apiKey: string;

// 500 SciFact abstracts where the shared data set is present (../shared/datasets), else 500
// synthetic documents: the flow under test is the same, only the texts differ.
function corpus(count: number): TestDocument[] {
  const file = join(process.env.SCIFACT_DIR ?? join(root, '../shared/datasets/beir/scifact'), 'corpus.jsonl');
  if (!existsSync(file)) return makeDocuments(count, { seed: 99, prefix: 'r' });
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, count).map((line) => {
    const doc = JSON.parse(line) as { _id: string; title: string; text: string };
    return { id: `s${doc._id}`, title: doc.title, content: doc.text, contentType: 'text/plain' as const, metadata: { source: 'scifact' } };
  });
}
const documents = corpus(500);
const questions = documents.slice(0, 12).map((d) => d.title.split(/\s+/).slice(0, 6).join(' '));

function cli(args: string[]) {
  const stack = stackEnv();
  return runCli(args, {
    ...process.env, KAFKA_BROKERS: stack.brokers.join(','), DATABASE_URL: stack.databaseUrl, SCHEMA_REGISTRY_URL: stack.registryUrl,
    CHUNK_EMBED_GROUP_ID: env.CHUNK_EMBED_GROUP_ID, INDEXER_GROUP_ID: env.INDEXER_GROUP_ID, LOG_LEVEL: 'warn',
  });
}

async function post(path: string, body: unknown, method = 'POST') {
  const response = await fetch(`${services.gateway!.url}${path}`, {
    method, headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Documents and chunks of the tenant in one generation. */
async function generationRows(generation: number) {
  return withTenant(pool, tenant, async (client) => {
    const docs = await client.query<{ document_id: string; status: string }>('SELECT document_id, status FROM ragmesh.documents WHERE generation_id = $1', [generation]);
    const chunks = await client.query<{ document_id: string; ordinal: number; text: string }>(
      'SELECT document_id, ordinal, text FROM ragmesh.chunks WHERE generation_id = $1 ORDER BY document_id, ordinal', [generation],
    );
    return { docs: docs.rows, chunks: chunks.rows };
  });
}

async function activeGeneration(): Promise<number> {
  const { rows } = await pool.query<{ generation_id: string }>("SELECT generation_id FROM ragmesh.tenant_generations WHERE tenant_id = $1 AND state = 'active'", [tenant]);
  return Number(rows[0]!.generation_id);
}

interface Probe { startedAt: number; endedAt: number; status: number; generations: number[]; hits: number }

/** Queries through the gateway every ~150 ms until stopped; each hit is attributed to the generation holding its chunk. */
function startQueryLoop() {
  const probes: Probe[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const startedAt = Date.now();
      const { status, body } = await post('/v1/query', { query: questions[i % questions.length], topK: 5 });
      const ids = ((body.hits as { chunkId: string }[] | undefined) ?? []).map((h) => h.chunkId);
      const owners = await withTenant(pool, tenant, (c) => c.query<{ generation_id: string }>('SELECT DISTINCT generation_id FROM ragmesh.chunks WHERE chunk_id = ANY($1)', [ids]));
      probes.push({ startedAt, endedAt: Date.now(), status, generations: owners.rows.map((r) => Number(r.generation_id)), hits: ids.length });
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return { probes, stop: async () => { running = false; await loop; } };
}

async function statusJson() {
  const { stdout } = await cli(['reindex', 'status', '--tenant', tenant, '--json']);
  return JSON.parse(stdout) as { generations: { id: number; state: string; model: string; documentsDone: number; documentsTotal: number; lag: number; caughtUp: boolean }[] };
}

/** The chunk texts a document must have under a model's tokenizer and token budget. */
function expectedTexts(doc: TestDocument, embedder: Embedder): string[] {
  const normalized = normalizeContent({ content: doc.content, contentType: doc.contentType });
  return chunkDocument({ text: normalized, title: doc.title, policy: getPolicy('default'), countTokens: (t) => embedder.countTokens(t), maxTokens: embedder.model.maxTokens }).map((c) => c.text);
}

beforeAll(async () => {
  await migrate(pool);
  apiKey = (await createApiKeyStore(pool).create({ tenant, scopes: ['ingest', 'query', 'admin'] })).key;
  await startGroupsAtEnd(env);
  services.indexer = await startService('indexer', env);
  services['chunk-embed'] = await startService('chunk-embed', env);
  services.retriever = await startService('retriever', env);
  services.gateway = await startService('gateway', env);
}, 180_000);

afterAll(async () => {
  await stopServices(services);
  // The tenant leaves every generation, so the chunk/embed workers of later test files (which
  // serve every generation some tenant follows) do not load this file's models.
  await pool.query('DELETE FROM ragmesh.tenant_generations WHERE tenant_id = $1', [tenant]);
  await pool.end();
});

describe('re-index generations', () => {
  it('moves a tenant from MiniLM to bge-small with queries served throughout, then rolls back, cancels and retires', async () => {
    for (let i = 0; i < documents.length; i += 100) expect((await post('/v1/documents', { documents: documents.slice(i, i + 100) })).status).toBe(202);
    const genA = await waitFor(async () => {
      const { rows } = await pool.query<{ generation_id: string }>("SELECT generation_id FROM ragmesh.tenant_generations WHERE tenant_id = $1 AND state = 'active'", [tenant]);
      if (!rows[0]) return false;
      const g = Number(rows[0].generation_id);
      return (await generationRows(g)).docs.filter((d) => d.status === 'indexed').length === documents.length ? g : false;
    }, { timeoutMs: 240_000, intervalMs: 1_000, what: 'first ingest with MiniLM' });

    const loop = startQueryLoop();
    const started = await cli(['reindex', 'start', '--model', 'bge-small-en-v1.5', '--tenant', tenant]);
    expect(started.code).toBe(0);
    const genB = Number(started.stdout.trim().split('\n').at(-1));
    expect(genB).toBeGreaterThan(genA);

    const again = await cli(['reindex', 'start', '--model', 'bge-small-en-v1.5', '--tenant', tenant]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`a re-index is already building for ${tenant} (generation ${genB})`);
    const early = await cli(['reindex', 'cutover', '--tenant', tenant]);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(`cutover refused for ${tenant}`);

    // Live writes during the re-index reach both generations.
    const latest = new Map(documents.map((d) => [d.id, d]));
    const updated = documents.slice(20, 25).map((d) => ({ ...d, content: `${d.content}\n\nRevised: the re-index must carry this sentence about ${d.id}.` }));
    expect((await post('/v1/documents', { documents: updated })).status).toBe(202);
    for (const d of updated) latest.set(d.id, d);
    const deleted = documents.slice(30, 33).map((d) => d.id);
    for (const id of deleted) {
      expect((await post(`/v1/documents/${id}`, undefined, 'DELETE')).status).toBe(202);
      latest.delete(id);
    }

    // kill -9 of the chunk/embed worker mid-replay: it resumes from the committed offsets.
    await waitFor(async () => ((await statusJson()).generations.find((g) => g.id === genB)?.documentsDone ?? 0) >= 50, { timeoutMs: 300_000, intervalMs: 1_000, what: 'replay under way' });
    await stopService(services['chunk-embed']!, 'SIGKILL');
    services['chunk-embed'] = await startService('chunk-embed', env);

    await waitFor(async () => (await statusJson()).generations.find((g) => g.id === genB)?.caughtUp === true, { timeoutMs: 600_000, intervalMs: 2_000, what: 'bge generation caught up' });

    // Side by side before the switch: the same question against each generation by name.
    const onB = await post('/v1/query', { query: questions[0], topK: 5, generation: genB });
    expect(onB.status).toBe(200);
    expect((onB.body.hits as unknown[]).length).toBeGreaterThan(0);

    const cutoverAt = Date.now();
    const cutover = await cli(['reindex', 'cutover', '--tenant', tenant]);
    expect(cutover.code).toBe(0);
    expect(cutover.stdout).toContain(`generation ${genB} active, ${genA} standby`);
    const switchedAt = Date.now();
    expect(await activeGeneration()).toBe(genB);
    await new Promise((resolve) => setTimeout(resolve, 4_000));

    // Exactly the chunk set of every live document's latest version, under bge's tokenizer.
    const bge = await createEmbedder({ provider: 'local', modelId: 'bge-small-en-v1.5' });
    const rowsB = await generationRows(genB);
    const byDoc = new Map<string, string[]>();
    for (const c of rowsB.chunks) byDoc.set(c.document_id, [...(byDoc.get(c.document_id) ?? []), c.text]);
    expect([...byDoc.keys()].sort()).toEqual([...latest.keys()].sort());
    for (const [id, doc] of latest) expect(byDoc.get(id), id).toEqual(expectedTexts(doc, bge));
    await bge.close();
    expect(rowsB.docs.filter((d) => d.status === 'deleted').map((d) => d.document_id).sort()).toEqual([...deleted].sort());
    const status = await post(`/v1/documents/${updated[0]!.id}`, undefined, 'GET');
    expect(status.body).toMatchObject({ status: 'indexed', model: { id: 'bge-small-en-v1.5' } });
    // The standby generation followed the same writes, so a rollback serves current data.
    const rowsA = await generationRows(genA);
    expect(new Set(rowsA.docs.filter((d) => d.status === 'deleted').map((d) => d.document_id))).toEqual(new Set(deleted));

    const rollbackAt = Date.now();
    const rollback = await cli(['reindex', 'rollback', '--tenant', tenant]);
    expect(rollback.stdout).toContain(`generation ${genA} active, ${genB} standby`);
    const rolledBackAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await loop.stop();

    // Zero failed queries; before the cutover only MiniLM hits, between the switches only bge.
    const settle = 1_500; // the gateway and retriever read the active generation at most 1 s old
    expect(loop.probes.filter((p) => p.status !== 200)).toEqual([]);
    expect(loop.probes.filter((p) => p.hits === 0)).toEqual([]);
    const before = loop.probes.filter((p) => p.endedAt < cutoverAt);
    const during = loop.probes.filter((p) => p.startedAt > switchedAt + settle && p.endedAt < rollbackAt);
    const after = loop.probes.filter((p) => p.startedAt > rolledBackAt + settle);
    expect(before.length).toBeGreaterThan(10);
    expect(during.length).toBeGreaterThan(3);
    expect(after.length).toBeGreaterThan(3);
    expect(new Set(before.flatMap((p) => p.generations))).toEqual(new Set([genA]));
    expect(new Set(during.flatMap((p) => p.generations))).toEqual(new Set([genB]));
    expect(new Set(after.flatMap((p) => p.generations))).toEqual(new Set([genA]));

    // A third generation, cancelled mid-build, leaves no rows; retiring the standby one drops its rows.
    const third = await cli(['reindex', 'start', '--model', 'hash-384', '--tenant', tenant]);
    const genC = Number(third.stdout.trim().split('\n').at(-1));
    await waitFor(async () => (await generationRows(genC)).docs.length > 0, { timeoutMs: 120_000, intervalMs: 500, what: 'third generation filling' });
    const cancel = await cli(['reindex', 'cancel', String(genC)]);
    expect(cancel.stdout).toContain(`cancel generation ${genC}: ${tenant} cancelled`);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await generationRows(genC)).toEqual({ docs: [], chunks: [] });
    const retire = await cli(['reindex', 'retire', String(genB)]);
    expect(retire.stdout).toContain(`retire generation ${genB}: ${tenant} retired`);
    expect(await generationRows(genB)).toEqual({ docs: [], chunks: [] });
    const indexes = await pool.query("SELECT indexname FROM pg_indexes WHERE schemaname = 'ragmesh' AND indexname = ANY($1)", [[`chunks_hnsw_g${genB}`, `chunks_hnsw_g${genC}`]]);
    expect(indexes.rows).toEqual([]);
  }, 1_200_000);
});
