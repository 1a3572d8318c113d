import { createIndexWriter, createPool, migrate, withTenant } from '@ragmesh/store';
import { stackEnv, uniqueName } from '@ragmesh/testkit';
import pgvector from 'pgvector';
import { it } from 'vitest';
import { compileFilter, denseSql, type Filter } from '../../src/index.js';
import { documentVersion, dropTenants, MODEL } from './fixtures.js';

it('plans', async () => {
  const pool = createPool({ connectionString: stackEnv().databaseUrl, max: 2 });
  await migrate(pool);
  const tenant = uniqueName('scratch');
  const w = createIndexWriter(pool);
  const docs = Array.from({ length: 500 }, (_, d) => ({ id: `d${d}`, metadata: { bucket: String(d % 100), rank: String(d) }, chunks: Array.from({ length: 10 }, (_, c) => ({ id: `d${d}-${c}`, text: `chunk ${c} doc ${d}`, vector: [Math.random(), Math.random() - 0.5, Math.random() - 0.5, Math.random()] })) }));
  for (let i = 0; i < 500; i += 100) await w.apply(tenant, docs.slice(i, i + 100).map(documentVersion));
  await pool.query('ANALYZE ragmesh.chunks');
  for (const filter of [{ eq: { field: 'bucket', value: '7' } }, { eq: { field: 'bucket', value: 7 } }, { in: { field: 'bucket', values: [7] } }, { range: { field: 'rank', gte: 0 } }, null] as (Filter | null)[]) {
    await withTenant(pool, tenant, async (client) => {
      await client.query("SELECT set_config('hnsw.ef_search', '40', true), set_config('hnsw.iterative_scan', 'relaxed_order', true)");
      const params: unknown[] = [];
      const filterSql = filter ? compileFilter(filter, { params }) : null;
      const sql = denseSql({ dims: 4, filterSql, firstParam: params.length + 1 });
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [...params, pgvector.toSql([0.3, -0.2, 0.4, 0.1]), MODEL.id, 10]);
      console.log(JSON.stringify(filter) + '\n' + rows.map((r) => r['QUERY PLAN']).join('\n'));
    });
  }
  await dropTenants(pool, [tenant]);
  await pool.end();
}, 200_000);
