import { stackEnv, uniqueName } from '@ragmesh/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, createTenantLimits, listAudit, migrate, migrations, withTenant } from '../../src/index.js';

const env = stackEnv();
const pool = createPool({ connectionString: env.databaseUrl, max: 2 });

beforeAll(async () => {
  await migrate(pool);
});
afterAll(async () => {
  await pool.end();
});

describe('store on the real Postgres', () => {
  it('runs migrations idempotently', async () => {
    expect(await migrate(pool)).toEqual({ applied: [] });
    const { rows } = await pool.query('SELECT version FROM ragmesh.schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
  });

  it('stores tenant limits, audits each change, and keeps the audit log append-only', async () => {
    const tenant = uniqueName('limits');
    const limits = createTenantLimits(pool);
    expect(await limits.get(tenant)).toBeNull();
    await limits.set(tenant, { queriesPerMinute: 10, documentsPerMinute: 100, burst: null }, 'test:a');
    await limits.set(tenant, { queriesPerMinute: 20, documentsPerMinute: 200, burst: 5 }, 'test:b');
    expect(await limits.get(tenant)).toEqual({ queriesPerMinute: 20, documentsPerMinute: 200, burst: 5 });
    const audit = await listAudit(pool, { tenant });
    expect(audit.map((a) => [a.actor, a.action, a.details])).toEqual([
      ['test:b', 'limits.set', { queriesPerMinute: 20, documentsPerMinute: 200, burst: 5 }],
      ['test:a', 'limits.set', { queriesPerMinute: 10, documentsPerMinute: 100, burst: null }],
    ]);
    await expect(pool.query('UPDATE ragmesh.audit_log SET actor = $1 WHERE tenant_id = $2', ['forged', tenant])).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM ragmesh.audit_log WHERE tenant_id = $1', [tenant])).rejects.toThrow(/append-only/);
  });

  it('keeps the full-text vector in the row and the GIN indexes without a pending list', async () => {
    const { rows: columns } = await pool.query(
      "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'ragmesh.chunks'::regclass AND attname IN ('tsv', 'embedding') ORDER BY attname",
    );
    expect(columns).toEqual([
      { attname: 'embedding', attstorage: 'e' },
      { attname: 'tsv', attstorage: 'm' },
    ]);
    const { rows: indexes } = await pool.query(
      "SELECT relname, reloptions FROM pg_class WHERE relname IN ('chunks_tsv_idx', 'chunks_metadata_idx') AND relnamespace = 'ragmesh'::regnamespace ORDER BY relname",
    );
    expect(indexes).toEqual([
      { relname: 'chunks_metadata_idx', reloptions: ['fastupdate=off'] },
      { relname: 'chunks_tsv_idx', reloptions: ['fastupdate=off'] },
    ]);
  });

  it('has pgvector >= 0.8 in the ragmesh database', async () => {
    const { rows } = await pool.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    const [major, minor] = String(rows[0]?.extversion).split('.').map(Number);
    expect(major! > 0 || minor! >= 8).toBe(true);
    const { rows: distance } = await pool.query("SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector AS d");
    expect(distance[0].d).toBe(1);
  });

  it('connects as a role that is not superuser and cannot bypass row-level security', async () => {
    const { rows } = await pool.query('SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user');
    expect(rows[0]).toEqual({ name: 'ragmesh', rolsuper: false, rolbypassrls: false });
  });

  it('blocks the ragmesh role from other tenants rows by a row-level-security policy', async () => {
    const tenantA = uniqueName('tenant-a');
    const tenantB = uniqueName('tenant-b');
    const insert = "INSERT INTO ragmesh.documents (tenant_id, generation_id, document_id, status) VALUES ($1, 1, 'doc-1', 'pending')";
    await withTenant(pool, tenantA, (client) => client.query(insert, [tenantA]));
    await withTenant(pool, tenantB, (client) => client.query(insert, [tenantB]));

    const seenByA = await withTenant(pool, tenantA, (c) => c.query('SELECT tenant_id FROM ragmesh.documents WHERE document_id = $1', ['doc-1']));
    expect(seenByA.rows).toEqual([{ tenant_id: tenantA }]);

    const noTenant = await pool.query('SELECT count(*)::int AS n FROM ragmesh.documents');
    expect(noTenant.rows[0].n).toBe(0);

    await expect(withTenant(pool, tenantA, (c) => c.query(insert.replace('doc-1', 'doc-2'), [tenantB]))).rejects.toThrow(/row-level security/);

    // The transaction-local tenant does not leak into the next use of a pooled connection.
    const after = await pool.query("SELECT current_setting('ragmesh.tenant_id', true) AS tenant");
    expect(after.rows[0].tenant ?? '').toBe('');
  });

  it('sets extra settings with the tenant for the transaction only', async () => {
    const tenant = uniqueName('tenant-s');
    const inside = await withTenant(pool, { tenant, settings: { 'hnsw.ef_search': '77', statement_timeout: '1234' } }, (c) =>
      c.query("SELECT current_setting('ragmesh.tenant_id') AS tenant, current_setting('hnsw.ef_search') AS ef, current_setting('statement_timeout') AS timeout"),
    );
    expect(inside.rows[0]).toEqual({ tenant, ef: '77', timeout: '1234ms' });
    // Both connections of the pool: none carries the settings over.
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    try {
      for (const client of clients) {
        const { rows } = await client.query("SELECT current_setting('ragmesh.tenant_id', true) AS tenant, current_setting('statement_timeout') AS timeout");
        expect({ tenant: rows[0].tenant ?? '', timeout: rows[0].timeout }).toEqual({ tenant: '', timeout: '0' });
      }
    } finally {
      clients.forEach((c) => c.release());
    }
  });

  it('lets a superuser see that both tenants rows exist', async () => {
    const admin = new pg.Client({ connectionString: env.superuserDatabaseUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query("SELECT count(DISTINCT tenant_id)::int AS n FROM ragmesh.documents WHERE document_id = 'doc-1'");
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.end();
    }
  });
});
