import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from './transaction.js';

/** What a key may do. `admin` reads generations and queries one that is not active yet. */
export const apiKeyScopes = ['ingest', 'query', 'pii:read', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];
/** Scopes of a key created without any named. */
export const defaultApiKeyScopes: readonly ApiKeyScope[] = ['ingest', 'query'];

/** sha256 hex of an API key; only this is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What a valid key grants: its tenant and scopes, until `expiresAt` (null: no expiry). */
export interface ApiKeyGrant {
  keyId: string;
  tenant: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
}

/** A key as `keys list` shows it; never the secret. */
export interface ApiKeyInfo {
  id: string;
  tenant: string;
  name: string | null;
  scopes: ApiKeyScope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revoked: boolean;
  revokedAt: string | null;
  expired: boolean;
}

interface ApiKeyRow {
  key_id: string;
  tenant_id: string;
  name: string | null;
  scopes: ApiKeyScope[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** API keys stored hashed; each maps to exactly one tenant. Creation and revocation are audited. */
export function createApiKeyStore(pool: pg.Pool) {
  return {
    /** Creates a key and returns its id and the plain key (shown once, never stored). */
    async create(options: { tenant: string; name?: string; scopes?: readonly ApiKeyScope[]; expiresAt?: Date | null; actor?: string }): Promise<{ id: string; key: string }> {
      const id = `key_${randomBytes(8).toString('hex')}`;
      const key = `rmk_${randomBytes(24).toString('base64url')}`;
      const scopes = [...new Set(options.scopes ?? defaultApiKeyScopes)];
      const expiresAt = options.expiresAt ?? null;
      await inTransaction(pool, async (client) => {
        await client.query(
          'INSERT INTO ragmesh.api_keys (key_hash, key_id, tenant_id, name, scopes, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [hashApiKey(key), id, options.tenant, options.name ?? null, scopes, expiresAt],
        );
        await client.query('INSERT INTO ragmesh.audit_log (actor, tenant_id, action, details) VALUES ($1, $2, $3, $4)', [
          options.actor ?? 'system', options.tenant, 'keys.create', { keyId: id, name: options.name ?? null, scopes, expiresAt: iso(expiresAt) },
        ]);
      });
      return { id, key };
    },

    /**
     * What a key grants, or null when it is unknown, revoked or expired. Records its last use,
     * at most once a minute per key.
     */
    async resolve(key: string): Promise<ApiKeyGrant | null> {
      const { rows } = await pool.query<ApiKeyRow>(
        `WITH k AS (
           SELECT * FROM ragmesh.api_keys
           WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
         ), touched AS (
           UPDATE ragmesh.api_keys SET last_used_at = now()
           WHERE key_hash = $1 AND EXISTS (SELECT 1 FROM k WHERE last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
         )
         SELECT * FROM k`,
        [hashApiKey(key)],
      );
      const row = rows[0];
      return row ? { keyId: row.key_id, tenant: row.tenant_id, scopes: row.scopes, expiresAt: row.expires_at } : null;
    },

    /** A tenant's keys (or every key), newest first. */
    async list(filter: { tenant?: string } = {}): Promise<ApiKeyInfo[]> {
      const { rows } = await pool.query<ApiKeyRow & { expired: boolean }>(
        `SELECT key_id, tenant_id, name, scopes, created_at, expires_at, last_used_at, revoked_at, coalesce(expires_at <= now(), false) AS expired
         FROM ragmesh.api_keys WHERE $1::text IS NULL OR tenant_id = $1 ORDER BY created_at DESC, key_id`,
        [filter.tenant ?? null],
      );
      return rows.map((r) => ({
        id: r.key_id, tenant: r.tenant_id, name: r.name, scopes: r.scopes, createdAt: r.created_at.toISOString(), expiresAt: iso(r.expires_at),
        lastUsedAt: iso(r.last_used_at), revoked: r.revoked_at !== null, revokedAt: iso(r.revoked_at), expired: r.expired,
      }));
    },

    /** Revokes a key by id; false when no unrevoked key has that id. */
    async revoke(keyId: string, actor = 'system'): Promise<boolean> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ tenant_id: string }>(
          'UPDATE ragmesh.api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL RETURNING tenant_id',
          [keyId],
        );
        if (!rows[0]) return false;
        await client.query('INSERT INTO ragmesh.audit_log (actor, tenant_id, action, details) VALUES ($1, $2, $3, $4)', [actor, rows[0].tenant_id, 'keys.revoke', { keyId }]);
        return true;
      });
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
