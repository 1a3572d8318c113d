import type pg from 'pg';
import { migrations } from './migrations.js';
import { StoreError } from './store-error.js';

// Any fixed number works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK = 0x7261_676d;
const MIN_PGVECTOR = [0, 8];

/** Versions already applied, read without creating anything (none before the first migration). */
async function appliedVersions(client: pg.PoolClient): Promise<Set<number>> {
  const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass('ragmesh.schema_migrations') IS NOT NULL AS exists");
  if (!rows[0]?.exists) return new Set();
  return new Set((await client.query<{ version: number }>('SELECT version FROM ragmesh.schema_migrations')).rows.map((r) => r.version));
}

/**
 * Applies pending migrations under an advisory lock, so several services starting at once
 * migrate exactly once. Requires the `vector` extension (>= 0.8) to be installed in the database.
 * When nothing is pending it only reads, so a service whose role may not create anything (least
 * privilege, migrations run by a job of their own) starts against an up-to-date schema.
 */
export async function migrate(pool: pg.Pool): Promise<{ applied: number[] }> {
  const client = await pool.connect();
  let locked = false;
  try {
    const before = await appliedVersions(client);
    if (migrations.every((m) => before.has(m.version))) return { applied: [] };
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    locked = true;
    const ext = await client.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    const version = ext.rows[0]?.extversion;
    if (!version || compareVersions(version, MIN_PGVECTOR) < 0) {
      throw new StoreError('EXTENSION_MISSING', `pgvector >= ${MIN_PGVECTOR.join('.')} is required (found ${version ?? 'none'}); run deploy/local/postgres.sh up or CREATE EXTENSION vector as a superuser`);
    }
    await client.query('CREATE SCHEMA IF NOT EXISTS ragmesh');
    await client.query(
      'CREATE TABLE IF NOT EXISTS ragmesh.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = await appliedVersions(client);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query('INSERT INTO ragmesh.schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
        applied.push(migration.version);
      } catch (cause) {
        await client.query('ROLLBACK');
        throw new StoreError('MIGRATION_FAILED', `migration ${migration.version} (${migration.name}) failed`, { cause });
      }
    }
    return { applied };
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

function compareVersions(version: string, minimum: number[]): number {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const diff = (parts[i] ?? 0) - (minimum[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
