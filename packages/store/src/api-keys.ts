import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

/** sha256 hex of an API key; only this is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** API keys stored hashed; each maps to exactly one tenant. */
export function createApiKeyStore(pool: pg.Pool) {
  return {
    /** Creates a key for `tenant` and returns it; the plain key is never stored. */
    async create(options: { tenant: string; name?: string }): Promise<string> {
      const key = `rmk_${randomBytes(24).toString('base64url')}`;
      await pool.query('INSERT INTO ragmesh.api_keys (key_hash, tenant_id, name) VALUES ($1, $2, $3)', [hashApiKey(key), options.tenant, options.name ?? null]);
      return key;
    },
    /** The tenant of a valid, unrevoked key, or null. */
    async tenantOf(key: string): Promise<string | null> {
      const { rows } = await pool.query<{ tenant_id: string }>('SELECT tenant_id FROM ragmesh.api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [hashApiKey(key)]);
      return rows[0]?.tenant_id ?? null;
    },
    async revoke(key: string): Promise<boolean> {
      const result = await pool.query('UPDATE ragmesh.api_keys SET revoked_at = now() WHERE key_hash = $1 AND revoked_at IS NULL', [hashApiKey(key)]);
      return (result.rowCount ?? 0) > 0;
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
