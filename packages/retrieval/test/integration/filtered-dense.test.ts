import { createIndexWriter, createPool, migrate, withTenant } from '@ragmesh/store';
import { stackEnv, uniqueName } from '@ragmesh/testkit';
import pgvector from 'pgvector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFilter, createSearcher, denseSql, efSearchFor, type Filter } from '../../src/index.js';
import { documentVersion, dropTenants, MODEL, type TestDoc } from './fixtures.js';

const env = stackEnv();
const pool = createPool({ connectionString: env.databaseUrl, max: 2 });
const searcher = createSearcher({ pool });
const tenant = uniqueName('retrieval-big');
const neighbour = uniqueName('retrieval-big-other');
const DOCS = 520;
const CHUNKS_PER_DOC = 10;

// A deterministic generator, so a failure reproduces.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

// 5,200 chunks; bucket 7 holds documents 7, 107, ..., 507: 60 chunks, about 1%.
function corpus(seed: number): TestDoc[] {
  const next = random(seed);
  return Array.from({ length: DOCS }, (_, d) => ({
    id: `doc-${d}`,
    metadata: { bucket: String(d % 100), rank: String(d) },
    chunks: Array.from({ length: CHUNKS_PER_DOC }, (_, c) => ({ id: `doc-${d}-${c}`, text: `chunk ${c} of document ${d}`, vector: [next(), next(), next(), next()] })),
  }));
}

const cosine = (a: number[], b: number[]) => {
  const dot = a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
  return dot / Math.hypot(...a) / Math.hypot(...b);
};

const query = [0.3, -0.2, 0.4, 0.1];
const docs = corpus(42);

async function explain(filter: Filter): Promise<string> {
  return withTenant(pool, tenant, async (client) => {
    await client.query("SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)", [String(efSearchFor(10))]);
    const params: unknown[] = [];
    const filterSql = compileFilter(filter, { params });
    const sql = denseSql({ dims: MODEL.dims, filterSql, firstParam: params.length + 1 });
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, [...params, pgvector.toSql(query), MODEL.id, 10]);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

beforeAll(async () => {
  await migrate(pool);
  const writer = createIndexWriter(pool);
  for (let i = 0; i < DOCS; i += 100) await writer.apply(tenant, docs.slice(i, i + 100).map(documentVersion));
  // Another tenant's chunks share the model's HNSW index and sit close to the query.
  await writer.apply(neighbour, corpus(7).slice(0, 100).map((d) => ({ ...d, chunks: d.chunks.map((c) => ({ ...c, vector: query })) })).map(documentVersion));
  await pool.query('ANALYZE ragmesh.chunks').catch(() => undefined);
}, 120_000);

afterAll(async () => {
  await dropTenants(pool, [tenant, neighbour]);
  await pool.end();
});

describe('dense search under a selective filter', () => {
  it('uses the model’s partial HNSW index', async () => {
    const plan = await explain({ range: { field: 'rank', gte: 0 } });
    expect(plan).toMatch(/Index Scan using chunks_hnsw_test_4d_4 on chunks c/);
  });

  it('returns exactly topK chunks, all matching a filter that keeps 1% of the tenant', async () => {
    for (const filter of [{ eq: { field: 'bucket', value: '7' } }, { eq: { field: 'bucket', value: 7 } }, { in: { field: 'bucket', values: [7] } }] satisfies Filter[]) {
      const result = await searcher.search({ tenant, model: { id: MODEL.id, dims: MODEL.dims }, queryVector: query, text: '', topK: 10, mode: 'dense', filter });
      expect(result.hits).toHaveLength(10);
      for (const hit of result.hits) expect(hit.metadata.bucket).toBe('7');
      const scores = result.hits.map((h) => h.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      // Approximate search: nearly all of the exact top 10 of the bucket.
      const exact = docs
        .filter((d) => d.metadata?.bucket === '7')
        .flatMap((d) => d.chunks)
        .map((c) => ({ id: c.id, score: cosine(query, c.vector) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10)
        .map((c) => c.id);
      expect(result.hits.filter((h) => exact.includes(h.chunkId)).length).toBeGreaterThanOrEqual(9);
    }
  });

  it('returns every match when fewer than topK exist', async () => {
    const result = await searcher.search({
      tenant,
      model: { id: MODEL.id, dims: MODEL.dims },
      queryVector: query,
      text: '',
      topK: 100,
      mode: 'dense',
      filter: { and: [{ eq: { field: 'bucket', value: '7' } }, { range: { field: 'rank', lt: 200 } }] },
    });
    expect(result.hits.map((h) => h.documentId).sort()).toEqual(
      ['doc-107', 'doc-7'].flatMap((d) => Array.from({ length: CHUNKS_PER_DOC }, () => d)),
    );
  });
});
