import { createIndexWriter, createPool, migrate, withTenant } from '@ragmesh/store';
import { stackEnv, uniqueName } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCorpusStats } from '../../src/index.js';
import { documentVersion, dropTenants, GENERATION, singleChunkDoc } from './fixtures.js';

const env = stackEnv();
const pool = createPool({ connectionString: env.databaseUrl, max: 2 });
const tenant = uniqueName('retrieval-stats');
const writer = createIndexWriter(pool);

// 40 chunks c00..c39: "alpha" in the even ones (df 20), "omega" in c07 and c31 (df 2).
const docs = Array.from({ length: 40 }, (_, i) => {
  const id = `c${String(i).padStart(2, '0')}`;
  const words = ['filler', i % 2 === 0 ? 'alpha' : 'beta', i === 7 || i === 31 ? 'omega' : 'gamma'];
  return singleChunkDoc(id, words.join(' '), { vector: [1, i, 0, 0] });
});

beforeAll(async () => {
  await migrate(pool);
  await writer.apply(tenant, docs.map(documentVersion));
});

afterAll(async () => {
  await dropTenants(pool, [tenant]);
  await pool.end();
});

describe('corpus statistics', () => {
  it('estimates common terms from the sample, counts rare ones exactly, and caches for the TTL', async () => {
    let time = 0;
    // Sample of 10 in chunk-id order: c00..c09, five of which hold "alpha".
    const stats = createCorpusStats({ sampleSize: 10, commonInSample: 5, ttlMs: 1_000, corpusTtlMs: 1_000, now: () => time });
    const read = () =>
      withTenant(pool, tenant, async (client) => {
        const corpus = await stats.corpus(client, { tenant, generation: GENERATION });
        const df = await stats.documentFrequencies(client, { tenant, generation: GENERATION, terms: ['alpha', 'omega', 'zeta'], corpus });
        return { n: corpus.n, avgdl: corpus.avgdl, df: Object.fromEntries(df) };
      });
    expect(await read()).toEqual({ n: 40, avgdl: 3, df: { alpha: 20, omega: 2, zeta: 0 } });

    await writer.apply(tenant, [singleChunkDoc('d-new', 'omega zeta', { vector: [0, 1, 0, 0] })].map(documentVersion));
    // Within the TTL: cached counts stay, but a zero is never cached, so a new term is found at once.
    expect(await read()).toEqual({ n: 40, avgdl: 3, df: { alpha: 20, omega: 2, zeta: 1 } });
    time = 1_000;
    expect((await read()).df).toEqual({ alpha: 21, omega: 3, zeta: 1 });
  });

  it('does not cache an empty corpus', async () => {
    const other = uniqueName('retrieval-stats-empty');
    const stats = createCorpusStats();
    const count = () => withTenant(pool, other, async (client) => (await stats.corpus(client, { tenant: other, generation: GENERATION })).n);
    expect(await count()).toBe(0);
    await writer.apply(other, [singleChunkDoc('first', 'hello', { vector: [1, 0, 0, 0] })].map(documentVersion));
    expect(await count()).toBe(1);
    await dropTenants(pool, [other]);
  });
});
