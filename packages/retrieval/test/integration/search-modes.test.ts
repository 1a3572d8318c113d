import { createIndexWriter, createPool, migrate, withTenant } from '@ragmesh/store';
import { stackEnv, uniqueName } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearcher, RetrievalError, type Filter, type SearchRequest } from '../../src/index.js';
import { documentVersion, dropTenants, GENERATION, MODEL, singleChunkDoc } from './fixtures.js';

const env = stackEnv();
const pool = createPool({ connectionString: env.databaseUrl, max: 2 });
const searcher = createSearcher({ pool });
const tenant = uniqueName('retrieval-modes');
const mmrTenant = uniqueName('retrieval-mmr');

// Cosine similarity to the query [1, 0, 0, 0] decreases down this list (vacuum .995, planner .894,
// hnsw .707, replica .6, fusion .301, backup .196, kafka .0995, banana 0, zeppelin-short -.287,
// zeppelin-long -.6), so the dense order is known.
const corpus = [
  singleChunkDoc('vacuum', 'Postgres vacuum reclaims storage held by dead tuples.', { vector: [1, 0.1, 0, 0], metadata: { topic: 'db', year: '2019' }, title: 'Maintenance' }),
  singleChunkDoc('planner', 'The database planner chooses an index for each database query.', { vector: [0.9, 0.45, 0, 0], metadata: { topic: 'db', year: '2021' } }),
  singleChunkDoc('hnsw', 'HNSW graphs answer approximate nearest neighbour queries over vectors.', { vector: [0.7, 0, 0, 0.7], metadata: { topic: 'search', year: '2023' } }),
  singleChunkDoc('replica', 'A database replica streams the write-ahead log from the primary.', { vector: [0.6, 0.8, 0, 0], metadata: { topic: 'db', year: 'n/a' } }),
  singleChunkDoc('fusion', 'Reciprocal rank fusion merges ranked lists from several retrievers.', { vector: [0.3, 0, 0.95, 0], metadata: { topic: 'search', year: '2024' } }),
  singleChunkDoc('backup', 'Database backups copy every database file.', { vector: [0.2, 0, 0, 1], metadata: { topic: 'db', year: '2018' } }),
  singleChunkDoc('kafka', 'Kafka consumer groups rebalance partitions across consumers.', { vector: [0.1, 1, 0, 0], metadata: { topic: 'streaming', year: '2020' } }),
  singleChunkDoc('banana', 'Bananas are rich in potassium and taste sweet.', { vector: [0, 0, 0, 1], metadata: { topic: 'food' } }),
  singleChunkDoc('zeppelin-short', 'Zeppelin flights.', { vector: [-0.3, 1, 0, 0], metadata: { topic: 'travel' } }),
  singleChunkDoc(
    'zeppelin-long',
    'Zeppelin airships carried passengers across the Atlantic ocean in comfortable cabins with dining rooms and promenade decks.',
    { vector: [-0.6, 0, 0.8, 0], metadata: { topic: 'travel' } },
  ),
];

const query = [1, 0, 0, 0];
const base = { tenant, model: { id: MODEL.id, dims: MODEL.dims }, generation: GENERATION, queryVector: query, text: '', topK: 10 } as const;
const ids = async (request: SearchRequest) => (await searcher.search(request)).hits.map((h) => h.chunkId);

beforeAll(async () => {
  await migrate(pool);
  const writer = createIndexWriter(pool);
  await writer.apply(tenant, corpus.map(documentVersion));
  // m2 and m3 are near-duplicates of m1; m4 is less relevant but points elsewhere.
  await writer.apply(mmrTenant, [
    singleChunkDoc('m1', 'first', { vector: [1, 0.2, 0, 0] }),
    singleChunkDoc('m2', 'second', { vector: [1, 0.25, 0, 0] }),
    singleChunkDoc('m3', 'third', { vector: [1, 0.3, 0, 0] }),
    singleChunkDoc('m4', 'fourth', { vector: [1, 0, 0.5, 0] }),
  ].map(documentVersion));
});

afterAll(async () => {
  await dropTenants(pool, [tenant, mmrTenant]);
  await pool.end();
});

describe('dense search', () => {
  it('returns the nearest chunks by cosine similarity with their document, text and metadata', async () => {
    const result = await searcher.search({ ...base, mode: 'dense', topK: 4 });
    expect(result.hits.map((h) => h.chunkId)).toEqual(['vacuum', 'planner', 'hnsw', 'replica']);
    expect(result.hits.map((h) => h.score)).toEqual([
      expect.closeTo(1 / Math.hypot(1, 0.1), 6),
      expect.closeTo(0.9 / Math.hypot(0.9, 0.45), 6),
      expect.closeTo(Math.SQRT1_2, 6),
      expect.closeTo(0.6, 6),
    ]);
    expect(result.hits[0]).toEqual({
      chunkId: 'vacuum',
      documentId: 'vacuum',
      title: 'Maintenance',
      uri: 'file:///vacuum.md',
      score: expect.any(Number),
      text: 'Postgres vacuum reclaims storage held by dead tuples.',
      metadata: { topic: 'db', year: '2019' },
    });
    expect(result.timings).toEqual({ dense: expect.any(Number), hydrate: expect.any(Number), total: expect.any(Number) });
  });

  it('applies filters inside the nearest-neighbour query', async () => {
    const run = (filter: Filter, topK = 10) => ids({ ...base, mode: 'dense', topK, filter });
    expect(await run({ eq: { field: 'topic', value: 'db' } }, 3)).toEqual(['vacuum', 'planner', 'replica']);
    // "n/a" is not a number: it does not match, and does not make the cast fail.
    expect(await run({ range: { field: 'year', gte: 2020 } })).toEqual(['planner', 'hnsw', 'fusion', 'kafka']);
    expect(await run({ not: { range: { field: 'year', gte: 2020 } } })).toEqual(['vacuum', 'replica', 'backup', 'banana', 'zeppelin-short', 'zeppelin-long']);
    // String bounds compare text in byte order: "n/a" sorts after digits.
    expect(await run({ range: { field: 'year', gt: '2020', lt: '2023' } })).toEqual(['planner']);
    expect(await run({ range: { field: 'year', gte: 'a' } })).toEqual(['replica']);
    expect(await run({ in: { field: 'topic', values: ['food', 'travel'] } })).toEqual(['banana', 'zeppelin-short', 'zeppelin-long']);
    expect(await run({ and: [{ exists: { field: 'year' } }, { or: [{ eq: { field: 'year', value: 2018 } }, { eq: { field: 'documentId', value: 'kafka' } }] }] })).toEqual([
      'backup',
      'kafka',
    ]);
    expect(await run({ eq: { field: 'topic', value: 'nothing' } })).toEqual([]);
  });
});

describe('sparse search', () => {
  it('ranks by BM25 over the query terms, ties by chunk id', async () => {
    expect(await ids({ ...base, mode: 'sparse', text: 'database' })).toEqual(['backup', 'planner', 'replica']);
    expect(await ids({ ...base, mode: 'sparse', text: 'database index' })).toEqual(['planner', 'backup', 'replica']);
    expect(await ids({ ...base, mode: 'sparse', text: 'database', filter: { eq: { field: 'year', value: 2021 } } })).toEqual(['planner']);
  });

  it('scores exactly BM25 (k1 1.2, b 0.75) over lexeme positions and distinct-lexeme lengths', async () => {
    const text = 'Which database stores vectors for nearest neighbour queries?';
    const stats = await withTenant(pool, tenant, async (client) => {
      const chunks = await client.query<{ chunk_id: string; dl: number; tf: Record<string, number> }>(
        'SELECT chunk_id, length(tsv) AS dl, (SELECT json_object_agg(lexeme, cardinality(positions)) FROM unnest(tsv)) AS tf FROM ragmesh.chunks',
      );
      const terms = await client.query<{ terms: string[] }>("SELECT tsvector_to_array(to_tsvector('english', $1)) AS terms", [text]);
      return { chunks: chunks.rows, terms: terms.rows[0]?.terms ?? [] };
    });
    const n = stats.chunks.length;
    const avgdl = stats.chunks.reduce((s, c) => s + c.dl, 0) / n;
    const expected = stats.chunks
      .map((c) => {
        let score = 0;
        for (const term of stats.terms) {
          const tf = c.tf[term] ?? 0;
          const df = stats.chunks.filter((d) => d.tf[term]).length;
          if (tf > 0) score += Math.log(1 + (n - df + 0.5) / (df + 0.5)) * (tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * c.dl) / avgdl));
        }
        return { chunkId: c.chunk_id, score };
      })
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1));
    const result = await searcher.search({ ...base, mode: 'sparse', text });
    expect(expected.length).toBeGreaterThan(2);
    expect(result.hits.map((h) => h.chunkId)).toEqual(expected.map((h) => h.chunkId));
    result.hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]?.score ?? 0, 9));
  });

  it('ranks a rare-term match above common-term matches, even with a higher tf of the common term', async () => {
    expect(await ids({ ...base, mode: 'sparse', text: 'vacuum database' })).toEqual(['vacuum', 'backup', 'planner', 'replica']);
  });

  it('ranks a short chunk above a long one with the same term frequency', async () => {
    expect(await ids({ ...base, mode: 'sparse', text: 'zeppelin' })).toEqual(['zeppelin-short', 'zeppelin-long']);
  });

  it('finds a chunk from a long question that shares only some of its words', async () => {
    expect(await ids({ ...base, mode: 'sparse', text: 'What is the best way to reclaim storage on my laptop when it gets slow?' })).toEqual(['vacuum']);
  });

  it('treats query text as words only: operators, quotes and SQL in it are data', async () => {
    for (const text of ["'; DROP TABLE ragmesh.chunks; -- zeppelin", "zeppelin' | '", "zeppelin:* & ! <-> ''' \\", 'zeppelin $1 ?| #> ->> @@']) {
      expect(await ids({ ...base, mode: 'sparse', text })).toEqual(['zeppelin-short', 'zeppelin-long']);
    }
    // "!" is not negation: banana is one more word to match (and the rarer one).
    expect(await ids({ ...base, mode: 'sparse', text: 'zeppelin & !banana' })).toEqual(['banana', 'zeppelin-short', 'zeppelin-long']);
    expect(await ids({ ...base, mode: 'sparse', text: 'the and of' })).toEqual([]);
    expect(await ids({ ...base, mode: 'sparse', text: '' })).toEqual([]);
  });
});

describe('hybrid search', () => {
  it('fuses the dense and sparse rankings by reciprocal rank (k = 60)', async () => {
    const result = await searcher.search({ ...base, mode: 'hybrid', text: 'database index', topK: 5 });
    // dense ranks: vacuum 1, planner 2, hnsw 3, replica 4, backup 6; sparse: planner 1, backup 2, replica 3.
    expect(result.hits.map((h) => h.chunkId)).toEqual(['planner', 'replica', 'backup', 'vacuum', 'hnsw']);
    expect(result.hits.map((h) => h.score)).toEqual([
      expect.closeTo(1 / 62 + 1 / 61, 12),
      expect.closeTo(1 / 64 + 1 / 63, 12),
      expect.closeTo(1 / 66 + 1 / 62, 12),
      expect.closeTo(1 / 61, 12),
      expect.closeTo(1 / 63, 12),
    ]);
    expect(Object.keys(result.timings).sort()).toEqual(['dense', 'fuse', 'hydrate', 'sparse', 'total']);
  });

  it('is the dense order when the text matches nothing', async () => {
    expect(await ids({ ...base, mode: 'hybrid', text: 'xylophone', topK: 3 })).toEqual(['vacuum', 'planner', 'hnsw']);
  });
});

describe('MMR', () => {
  const mmrBase = { ...base, tenant: mmrTenant, text: 'first second third fourth', topK: 3 };

  it('moves a less relevant but different chunk above near-duplicates', async () => {
    expect(await ids({ ...mmrBase, mode: 'dense' })).toEqual(['m1', 'm2', 'm3']);
    expect(await ids({ ...mmrBase, mode: 'dense', mmr: { lambda: 0.5, fetchK: 10 } })).toEqual(['m1', 'm4', 'm2']);
    expect(await ids({ ...mmrBase, mode: 'dense', mmr: { lambda: 1, fetchK: 10 } })).toEqual(['m1', 'm2', 'm3']);
    const hybrid = await searcher.search({ ...mmrBase, mode: 'hybrid', mmr: { lambda: 0.5, fetchK: 10 } });
    expect(hybrid.hits.map((h) => h.chunkId)).toEqual(['m1', 'm4', 'm2']);
    expect(hybrid.timings.mmr).toEqual(expect.any(Number));
  });
});

describe('tenancy and validation', () => {
  it('shows nothing to a query without a tenant', async () => {
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM ragmesh.chunks');
    expect(rows[0].n).toBe(0);
    const error = await searcher.search({ ...base, tenant: '', mode: 'dense' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetrievalError);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', retriable: false });
  });

  it('shows another tenant nothing of this corpus', async () => {
    expect(await ids({ ...base, tenant: uniqueName('retrieval-empty'), mode: 'hybrid', text: 'database' })).toEqual([]);
  });

  it('rejects a vector of the wrong size and a bad filter before touching the database', async () => {
    await expect(searcher.search({ ...base, mode: 'dense', queryVector: [1, 0, 0] })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(searcher.search({ ...base, mode: 'dense', filter: { eq: { field: "topic'--", value: 'db' } } })).rejects.toMatchObject({ code: 'INVALID_FILTER' });
  });
});
