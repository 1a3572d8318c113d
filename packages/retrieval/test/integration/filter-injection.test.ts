import { createIndexWriter, createPool, migrate, withTenant } from '@ragmesh/store';
import { stackEnv, uniqueName } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSearcher, parseFilter, RetrievalError, type Filter } from '../../src/index.js';
import { documentVersion, dropTenants, GENERATION, MODEL, singleChunkDoc } from './fixtures.js';

const env = stackEnv();
const pool = createPool({ connectionString: env.databaseUrl, max: 2 });
const searcher = createSearcher({ pool });
const tenant = uniqueName('retrieval-inject');
const other = uniqueName('retrieval-inject-other');

const hostile = {
  quote: "it's a 'test'",
  comment: 'value -- comment',
  drop: "'; DROP TABLE ragmesh.chunks; --",
  json: '{"tenant_id": "x"} ->> #> ?| @>',
  unicode: 'naïve ünïcödé 日本 \u202e\ud83d\ude00',
  backslash: 'C:\\path\\to\\file',
};

const docs = [
  ...Object.entries(hostile).map(([id, note], i) => singleChunkDoc(id, `note ${id}`, { vector: [1, i / 10, 0, 0], metadata: { note, 'odd.key-name': id, n: String(i) } })),
  singleChunkDoc("o'brien", 'note plain', { vector: [0, 1, 0, 0], metadata: { note: 'plain', n: 'NaN' } }),
];

const search = async (filter: unknown, owner = tenant) =>
  (await searcher.search({ tenant: owner, model: { id: MODEL.id, dims: MODEL.dims }, generation: GENERATION, queryVector: [1, 0, 0, 0], text: 'note', topK: 20, mode: 'hybrid', filter: parseFilter(filter) })).hits
    .map((h) => h.chunkId)
    .sort();

beforeAll(async () => {
  await migrate(pool);
  const writer = createIndexWriter(pool);
  await writer.apply(tenant, docs.map(documentVersion));
  await writer.apply(other, [singleChunkDoc('secret', 'note secret', { vector: [1, 0, 0, 0], metadata: { note: hostile.drop } })].map(documentVersion));
});

afterAll(async () => {
  await dropTenants(pool, [tenant, other]);
  await pool.end();
});

describe('filters built from hostile input', () => {
  it('match hostile values as plain data', async () => {
    for (const [id, note] of Object.entries(hostile)) {
      expect(await search({ eq: { field: 'note', value: note } })).toEqual([id]);
      expect(await search({ in: { field: 'note', values: [note, 'plain'] } })).toEqual([id, "o'brien"].sort());
      expect(await search({ not: { eq: { field: 'note', value: note } } })).toHaveLength(docs.length - 1);
    }
    expect(await search({ eq: { field: 'documentId', value: "o'brien" } })).toEqual(["o'brien"]);
    expect(await search({ eq: { field: 'odd.key-name', value: 'drop' } })).toEqual(['drop']);
    // Byte order: "'" < "-" < "C" < "i" < "n" < "p" < "v" < "{"; the bound itself is an injection attempt.
    expect(await search({ range: { field: 'note', gte: "' OR 1=1 --", lt: 'j' } })).toEqual(['backslash', 'drop', 'quote']);
  });

  it('cannot reach columns or other tenants through a field name', async () => {
    // "tenant_id" is a metadata key like any other; no chunk has it.
    expect(await search({ exists: { field: 'tenant_id' } })).toEqual([]);
    expect(await search({ not: { exists: { field: 'tenant_id' } } })).toHaveLength(docs.length);
    expect(await search({ eq: { field: 'note', value: hostile.drop } })).toEqual(['drop']);
  });

  it('compares numbers only with stored values that are numbers, without failing on the others', async () => {
    expect(await search({ range: { field: 'n', gte: 4 } })).toEqual(['backslash', 'unicode']);
    expect(await search({ range: { field: 'note', lt: 0 } })).toEqual([]);
    expect(await search({ eq: { field: 'n', value: 0 } })).toEqual(['quote']);
  });

  it('rejects field names carrying SQL or JSON syntax', async () => {
    const fields = ["note'", 'note--', "note' OR '1'='1", 'note->>0', 'note#>{a}', 'note?|', 'tenant_id)', 'ünïcödé'];
    for (const field of fields.filter((f) => !/^[A-Za-z0-9_.-]+$/.test(f))) {
      const error = await searcher
        .search({ tenant, model: { id: MODEL.id, dims: MODEL.dims }, generation: GENERATION, queryVector: [1, 0, 0, 0], text: 'note', topK: 5, mode: 'dense', filter: { eq: { field, value: 'x' } } as Filter })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetrievalError);
      expect(error).toMatchObject({ code: 'INVALID_FILTER' });
    }
    // "note--" is a legal key (it travels as a parameter) and simply matches nothing here.
    expect(await search({ exists: { field: 'note--' } })).toEqual([]);
  });

  it('leaves the tables in place', async () => {
    const count = await withTenant(pool, tenant, (client) => client.query('SELECT count(*)::int AS n FROM ragmesh.chunks'));
    expect(count.rows[0].n).toBe(docs.length);
  });
});
