import { stackEnv, uniqueName } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerationStore, createIndexWriter, createPool, createVectorIndex, migrate, withTenant, type DocumentVersion } from '../../src/index.js';

const pool = createPool({ connectionString: stackEnv().databaseUrl, max: 3 });
const generations = createGenerationStore(pool);
const writer = createIndexWriter(pool);

const version = (generation: number, documentId: string, version = 1): DocumentVersion => ({
  op: 'UPSERT', documentId, version, contentHash: `${documentId}-${version}`, uri: null, title: null, metadata: {}, chunking: 'default',
  model: { id: 'gen-test-3d', version: '1', dims: 3 }, generation, part: 0, partCount: 1, chunkCount: 1,
  chunks: [{ chunkId: `${documentId}-c0`, ordinal: 0, text: `text of ${documentId}`, textHash: 'h', tokenCount: 3, embedding: [1, 0, 0] }],
});
const rows = (tenant: string, generation: number) =>
  withTenant(pool, tenant, async (c) => ({
    documents: (await c.query('SELECT count(*)::int AS n FROM ragmesh.documents WHERE generation_id = $1', [generation])).rows[0].n as number,
    chunks: (await c.query('SELECT count(*)::int AS n FROM ragmesh.chunks WHERE generation_id = $1', [generation])).rows[0].n as number,
  }));

beforeAll(async () => {
  await migrate(pool);
});
const tenants: string[] = [];
const named = (prefix: string) => {
  const tenant = uniqueName(prefix);
  tenants.push(tenant);
  return tenant;
};

/** A new tenant on the default generation with a building re-index generation holding `documentId`. */
async function reindexing(prefix: string, documentId: string) {
  const tenant = named(prefix);
  const first = await generations.ensureDefault({ provider: 'hash', modelId: 'gen-test-3d', dims: 3 });
  await generations.activeFor(tenant, first.id);
  const { generation } = await generations.start({ spec: { provider: 'hash', modelId: 'gen-test-3d', dims: 3 }, tenant });
  await writer.apply(tenant, [version(generation.id, documentId)]);
  return { tenant, first, generation };
}

afterAll(async () => {
  // Leave no followed generation behind: every chunk/embed worker started later would serve it.
  await pool.query('DELETE FROM ragmesh.tenant_generations WHERE tenant_id = ANY($1)', [tenants]);
  await pool.end();
});

describe('index generations in the store', () => {
  it('gives a new tenant the default generation once, whoever asks first', async () => {
    const tenant = named('gen-first');
    const first = await generations.ensureDefault({ provider: 'hash', modelId: 'gen-test-3d', dims: 3 });
    expect(await generations.ensureDefault({ provider: 'hash', modelId: 'gen-test-3d', dims: 3 })).toEqual(first);
    const [a, b] = await Promise.all([generations.activeFor(tenant, first.id), generations.activeFor(tenant, first.id)]);
    expect(a?.id).toBe(first.id);
    expect(b?.id).toBe(first.id);
    expect(await generations.tenantStates({ tenant })).toMatchObject([{ tenant, generation: first.id, state: 'active' }]);
  });

  it('walks building -> active -> standby and back, one active and one building per tenant', async () => {
    const tenant = named('gen-flow');
    const first = await generations.ensureDefault({ provider: 'hash', modelId: 'gen-test-3d', dims: 3 });
    await generations.activeFor(tenant, first.id);
    await writer.apply(tenant, [version(first.id, 'd1')]);
    const { generation: next, tenants } = await generations.start({ spec: { provider: 'hash', modelId: 'hash-8', dims: 8 }, tenant });
    expect(tenants).toEqual([tenant]);
    await expect(generations.start({ spec: { provider: 'hash', modelId: 'hash-8', dims: 8 }, tenant })).rejects.toMatchObject({ code: 'GENERATION_CONFLICT' });
    await expect(generations.rollback(tenant)).rejects.toMatchObject({ code: 'GENERATION_CONFLICT' });
    await expect(generations.end(first.id, 'retire')).rejects.toThrow(/cannot be retired: .*\(active\)/);

    expect(await generations.cutover(tenant)).toEqual({ activated: next.id, standby: first.id, retired: null });
    expect((await generations.activeFor(tenant))?.id).toBe(next.id);
    await expect(generations.cutover(tenant)).rejects.toThrow(/no building generation/);
    expect(await generations.rollback(tenant)).toEqual({ activated: first.id, standby: next.id });
    expect((await generations.activeFor(tenant))?.id).toBe(first.id);
    const states = await generations.tenantStates({ tenant });
    expect(states.map((s) => [s.generation, s.state])).toEqual([[first.id, 'active'], [next.id, 'standby']]);
  });

  it('cancel drops the rows of a building generation and the writer never brings them back', async () => {
    const tenant = named('gen-cancel');
    const first = await generations.ensureDefault({ provider: 'hash', modelId: 'gen-test-3d', dims: 3 });
    await generations.activeFor(tenant, first.id);
    const { generation } = await generations.start({ spec: { provider: 'hash', modelId: 'gen-test-3d', dims: 3, chunking: 'faq' }, tenant });
    expect(await writer.apply(tenant, [version(generation.id, 'a'), version(generation.id, 'b')])).toMatchObject([{ outcome: 'indexed' }, { outcome: 'indexed' }]);
    expect(await rows(tenant, generation.id)).toEqual({ documents: 2, chunks: 2 });
    expect(await generations.end(generation.id, 'cancel')).toEqual({ tenants: [tenant] });
    expect(await rows(tenant, generation.id)).toEqual({ documents: 0, chunks: 0 });
    // A late delivery for the cancelled generation changes nothing.
    expect(await writer.apply(tenant, [version(generation.id, 'c')])).toMatchObject([{ outcome: 'skipped_retired' }]);
    expect(await rows(tenant, generation.id)).toEqual({ documents: 0, chunks: 0 });
    expect(await generations.stateOf(tenant, generation.id)).toBe('cancelled');
  });

  it('builds a re-index generation without a vector index until asked (bulk fill)', async () => {
    const { tenant, first, generation } = await reindexing('gen-bulk', 'x');
    const index = () => pool.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [`chunks_hnsw_g${generation.id}`]);
    expect((await index()).rows).toEqual([]);
    await writer.apply(tenant, [version(first.id, 'x')]);
    expect((await pool.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [`chunks_hnsw_g${first.id}`])).rows).toHaveLength(1);
    await generations.end(generation.id, 'cancel');
  });

  it('builds the vector index with the HNSW graph it is given, and refuses one pgvector would not build', async () => {
    const { generation } = await reindexing('gen-graph', 'g');
    await expect(createVectorIndex(pool, { generation: generation.id, dims: 3, graph: { m: 8, efConstruction: 10 } })).rejects.toThrow(/ef_construction 10 not allowed/);
    await expect(createVectorIndex(pool, { generation: generation.id, dims: 3, graph: { m: 101, efConstruction: 300 } })).rejects.toThrow(/m 101 not allowed/);
    await createVectorIndex(pool, { generation: generation.id, dims: 3, graph: { m: 8, efConstruction: 32 } });
    const { rows } = await pool.query('SELECT c.reloptions FROM pg_class c WHERE c.relname = $1', [`chunks_hnsw_g${generation.id}`]);
    expect(rows).toEqual([{ reloptions: ['m=8', 'ef_construction=32'] }]);
    expect((await generations.get(generation.id))?.vectorIndexed).toBe(true);
    await generations.end(generation.id, 'cancel');
  });
});
