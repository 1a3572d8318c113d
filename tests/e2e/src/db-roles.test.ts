// Least-privilege database roles (migration 6): each service's role is refused what its code never
// does. Every other e2e test runs the services as these roles (mesh-harness), which proves the
// grants are enough; this file proves they are no more than that.
import { migrate } from '@ragmesh/store';
import { stackEnv } from '@ragmesh/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool } from './corpus.js';

type Role = 'ragmesh_gateway' | 'ragmesh_chunk_embed' | 'ragmesh_indexer' | 'ragmesh_retriever';
const owner = appPool();
const pools = new Map<Role, pg.Pool>();

function poolOf(role: Role): pg.Pool {
  if (!pools.has(role)) {
    const url = new URL(stackEnv().databaseUrl);
    url.username = role;
    pools.set(role, new pg.Pool({ connectionString: url.toString(), max: 1 }));
  }
  return pools.get(role)!;
}

/** The SQLSTATE a statement fails with as `role` (inside a rolled-back transaction), or 'ok'. */
async function outcome(role: Role, sql: string): Promise<string> {
  const client = await poolOf(role).connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('ragmesh.tenant_id', 'roles-test', true)");
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

const DENIED = '42501';

beforeAll(async () => {
  await migrate(owner);
});

afterAll(async () => {
  for (const pool of pools.values()) await pool.end();
  await owner.end();
});

describe('least-privilege database roles', () => {
  it('the query path (retriever) reads the index and writes nothing', async () => {
    const role = 'ragmesh_retriever';
    expect(await outcome(role, 'SELECT count(*) FROM ragmesh.chunks')).toBe('ok');
    expect(await outcome(role, 'SELECT count(*) FROM ragmesh.documents')).toBe('ok');
    for (const sql of [
      "INSERT INTO ragmesh.corpus_versions (tenant_id, version) VALUES ('roles-test', 1)",
      "UPDATE ragmesh.chunks SET text = 'x'",
      'DELETE FROM ragmesh.documents',
      "INSERT INTO ragmesh.generations (origin, provider, model_id, dims) VALUES ('default', 'hash', 'x', 8)",
      "UPDATE ragmesh.tenant_generations SET state = 'retired'",
      'SELECT * FROM ragmesh.api_keys',
      'SELECT * FROM ragmesh.tenant_limits',
      'SELECT * FROM ragmesh.audit_log',
      'SELECT ragmesh.analyze_search_tables()',
      'SELECT ragmesh.create_vector_index(-1, 3, 16, 64)',
      'SELECT * FROM ragmesh.pii_tokens',
      'SELECT * FROM ragmesh.tenant_policies',
    ]) expect([sql, await outcome(role, sql)]).toEqual([sql, DENIED]);
  });

  it('the indexer writes chunks but cannot read API keys, limits or the audit log, nor change the schema', async () => {
    const role = 'ragmesh_indexer';
    expect(await outcome(role, 'DELETE FROM ragmesh.chunks WHERE false')).toBe('ok');
    expect(await outcome(role, 'SELECT ragmesh.analyze_search_tables()')).toBe('ok');
    for (const sql of [
      'SELECT key_hash FROM ragmesh.api_keys',
      'SELECT * FROM ragmesh.tenant_limits',
      'SELECT * FROM ragmesh.audit_log',
      "INSERT INTO ragmesh.audit_log (actor, action) VALUES ('indexer', 'forged')",
      'CREATE TABLE ragmesh.intruder (id int)',
      'DROP INDEX ragmesh.chunks_tsv_idx',
      'SELECT * FROM ragmesh.pii_tokens',
    ]) expect([sql, await outcome(role, sql)]).toEqual([sql, DENIED]);
  });

  it('the gateway reads keys and records their use, but cannot mint, revoke or move them, nor touch chunks', async () => {
    const role = 'ragmesh_gateway';
    expect(await outcome(role, 'SELECT count(*) FROM ragmesh.pii_tokens')).toBe('ok');
    expect(await outcome(role, 'UPDATE ragmesh.api_keys SET last_used_at = now() WHERE false')).toBe('ok');
    for (const sql of [
      "INSERT INTO ragmesh.api_keys (key_hash, key_id, tenant_id, scopes) VALUES ('h', 'key_x', 't', '{admin}')",
      'UPDATE ragmesh.api_keys SET revoked_at = NULL',
      "UPDATE ragmesh.api_keys SET tenant_id = 'other'",
      "UPDATE ragmesh.api_keys SET scopes = '{admin}'",
      'DELETE FROM ragmesh.api_keys',
      "UPDATE ragmesh.tenant_limits SET queries_per_minute = 1000000",
      "INSERT INTO ragmesh.audit_log (actor, action) VALUES ('gateway', 'forged')",
      "UPDATE ragmesh.chunks SET text = 'x'",
      'DELETE FROM ragmesh.chunks',
      "INSERT INTO ragmesh.pii_tokens (tenant_id, token, sealed) VALUES ('roles-test', '[EMAIL:00000000000000000000]', '\\x00')",
      "UPDATE ragmesh.tenant_policies SET pii_redaction = false",
    ]) expect([sql, await outcome(role, sql)]).toEqual([sql, DENIED]);
  });

  it('chunk/embed records document outcomes but cannot write chunks or read API keys', async () => {
    const role = 'ragmesh_chunk_embed';
    for (const sql of [
      "INSERT INTO ragmesh.chunks (chunk_id) VALUES ('x')",
      'DELETE FROM ragmesh.documents',
      'SELECT key_hash FROM ragmesh.api_keys',
      'SELECT * FROM ragmesh.audit_log',
      // The PII map: chunk/embed adds sealed values but may not read them back.
      'SELECT * FROM ragmesh.pii_tokens',
      'DELETE FROM ragmesh.pii_tokens',
    ]) expect([sql, await outcome(role, sql)]).toEqual([sql, DENIED]);
    expect(await outcome(role, "INSERT INTO ragmesh.pii_tokens (tenant_id, token, sealed) VALUES ('roles-test', '[EMAIL:00000000000000000000]', '\\x00') ON CONFLICT DO NOTHING")).toBe('ok');
  });

  it('no service role can bypass row-level security or create roles', async () => {
    const { rows } = await owner.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }>(
      "SELECT rolname, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname LIKE 'ragmesh\\_%' ORDER BY rolname",
    );
    expect(rows.map((r) => r.rolname)).toEqual(['ragmesh_chunk_embed', 'ragmesh_gateway', 'ragmesh_indexer', 'ragmesh_retriever']);
    expect(rows.every((r) => !r.rolsuper && !r.rolbypassrls && !r.rolcreaterole)).toBe(true);
  });
});
