import { apiKeyScopes, createApiKeyStore, createPool, migrate, type ApiKeyInfo, type ApiKeyScope } from '@ragmesh/store';
import type { CliConfig } from '../config.js';
import { cliActor, withPool } from './tenants.js';

function withKeys<T>(config: CliConfig, work: (keys: ReturnType<typeof createApiKeyStore>) => Promise<T>): Promise<T> {
  return withPool(config, (pool) => work(createApiKeyStore(pool)));
}

/** Parses `ingest,query` into scopes; throws naming the unknown one. */
export function parseScopes(value: string): ApiKeyScope[] {
  const scopes = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (scopes.length === 0) throw new Error(`--scopes: name at least one of ${apiKeyScopes.join(', ')}`);
  for (const s of scopes) if (!(apiKeyScopes as readonly string[]).includes(s)) throw new Error(`--scopes: unknown scope "${s}" (known: ${apiKeyScopes.join(', ')})`);
  return scopes as ApiKeyScope[];
}

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a lifetime such as `90s`, `12h` or `30d` into milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (!match || Number(match[1]) === 0) throw new Error(`--expires-in: expected a positive number followed by s, m, h or d (like 30d), got "${value}"`);
  return Number(match[1]) * units[match[2]!]!;
}

/** Creates an API key for `tenant`; the key is shown once and stored only as a hash. */
export function createKey(config: CliConfig, options: { tenant: string; name?: string; scopes: ApiKeyScope[]; expiresInMs?: number }) {
  const expiresAt = options.expiresInMs ? new Date(Date.now() + options.expiresInMs) : null;
  return withKeys(config, (keys) => keys.create({ tenant: options.tenant, name: options.name, scopes: options.scopes, expiresAt, actor: cliActor() }));
}

/** A tenant's keys without their secrets. */
export function listKeys(config: CliConfig, tenant?: string): Promise<ApiKeyInfo[]> {
  return withKeys(config, (keys) => keys.list({ tenant }));
}

/** Revokes a key by id; every gateway refuses it within a second. */
export function revokeKey(config: CliConfig, keyId: string): Promise<boolean> {
  return withKeys(config, (keys) => keys.revoke(keyId, cliActor()));
}

/** Applies pending migrations (a deployment's migration job; services also migrate at start when they may). */
export async function migrateDatabase(config: CliConfig): Promise<number[]> {
  const pool = createPool({ connectionString: config.DATABASE_URL, max: 1, applicationName: 'ragmesh-cli' });
  try {
    return (await migrate(pool)).applied;
  } finally {
    await pool.end();
  }
}
