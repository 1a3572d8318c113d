import { createIndexWriter, createPool, migrate } from '@ragmesh/store';
import { stackEnv, uniqueName } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearcher, type SearchMode } from '../../src/index.js';
import { documentVersion, dropTenants, GENERATION, MODEL, type TestDoc } from './fixtures.js';

const env = stackEnv();
// Two connections for ~50 concurrent searches: every connection serves both tenants many times.
const pool = createPool({ connectionString: env.databaseUrl, max: 2 });
const searcher = createSearcher({ pool });
const tenants = [uniqueName('retrieval-iso-a'), uniqueName('retrieval-iso-b')] as const;

// Both tenants hold the same document and chunk ids with the same words and vectors; only the
// owner in the metadata and the text's last word tell them apart.
const corpusOf = (owner: string): TestDoc[] =>
  Array.from({ length: 6 }, (_, i) => ({
    id: `doc-${i}`,
    metadata: { owner },
    chunks: [
      { id: `doc-${i}-0`, text: `shared lighthouse keeper notes number ${i} ${owner}`, vector: [1, i / 10, 0, 0] },
      { id: `doc-${i}-1`, text: `shared harbour pilot log ${i} ${owner}`, vector: [0, 1, i / 10, 0] },
    ],
  }));

beforeAll(async () => {
  await migrate(pool);
  const writer = createIndexWriter(pool);
  for (const tenant of tenants) await writer.apply(tenant, corpusOf(tenant).map(documentVersion));
});

afterAll(async () => {
  await dropTenants(pool, [...tenants]);
  await pool.end();
});

describe('tenant isolation under a shared pool', () => {
  it('never returns another tenant’s chunks to interleaved concurrent searches', async () => {
    const modes: SearchMode[] = ['hybrid', 'dense', 'sparse'];
    const requests = Array.from({ length: 50 }, (_, i) => ({
      tenant: tenants[i % 2] as string,
      model: { id: MODEL.id, dims: MODEL.dims }, generation: GENERATION,
      queryVector: [1, 0.5, 0, 0],
      text: 'shared lighthouse harbour',
      topK: 20,
      mode: modes[i % 3] as SearchMode,
      mmr: i % 5 === 0 ? { lambda: 0.5, fetchK: 20 } : undefined,
    }));
    const results = await Promise.all(requests.map((r) => searcher.search(r)));
    results.forEach((result, i) => {
      const tenant = requests[i]?.tenant as string;
      expect(result.hits).toHaveLength(12);
      for (const hit of result.hits) {
        expect(hit.metadata).toEqual({ owner: tenant });
        expect(hit.text.endsWith(tenant)).toBe(true);
      }
    });
    // Nothing leaks into the next use of a pooled connection either.
    const { rows } = await pool.query("SELECT coalesce(current_setting('ragmesh.tenant_id', true), '') AS tenant, (SELECT count(*)::int FROM ragmesh.chunks) AS visible");
    expect(rows[0]).toEqual({ tenant: '', visible: 0 });
  });
});
