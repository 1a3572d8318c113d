import { compilePatterns, type PiiPattern } from './detect.js';
import type { PiiVault } from './vault.js';

/** How long a worker or gateway trusts the policy it read: a change reaches every one within this. */
export const POLICY_TTL_MS = 5_000;

export interface PolicySource {
  get(tenant: string): Promise<{ piiRedaction: boolean; piiPatterns: PiiPattern[] } | null>;
}

/** Replaces a tenant's PII in `text` by tokens, recording each token's value in `values`. */
export type Redact = (text: string, values: Map<string, string>) => string;

/**
 * Whether and how a tenant's text is redacted, from its policy (read at most every `ttlMs`, 5 s by
 * default, so a policy change reaches every worker within seconds). Redaction on without a vault
 * (no PII_ENCRYPTION_KEY) is a configuration problem: the worker holds its place rather than
 * index raw values.
 */
export function createTenantRedactor(deps: { vault: PiiVault | null; policies: PolicySource; ttlMs?: number }) {
  const ttl = deps.ttlMs ?? POLICY_TTL_MS;
  const cache = new Map<string, { redact: Redact | null; until: number }>();

  async function forTenant(tenant: string): Promise<Redact | null> {
    const hit = cache.get(tenant);
    if (hit && hit.until > Date.now()) return hit.redact;
    const policy = await deps.policies.get(tenant);
    let redact: Redact | null = null;
    if (policy?.piiRedaction) {
      const vault = deps.vault;
      if (!vault) {
        throw Object.assign(new Error(`tenant ${tenant} has PII redaction on, and PII_ENCRYPTION_KEY is not set`), {
          configuration: `PII_ENCRYPTION_KEY is not set, and tenant ${tenant} has PII redaction on`,
        });
      }
      const custom = compilePatterns(policy.piiPatterns);
      redact = (text, values) => vault.redact(tenant, text, { custom, values }).text;
    }
    cache.set(tenant, { redact, until: Date.now() + ttl });
    if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
    return redact;
  }

  return { forTenant };
}

export type TenantRedactor = ReturnType<typeof createTenantRedactor>;

/** Reads PII_ENCRYPTION_KEY (base64 of 32 bytes); throws naming the variable when it is not that. */
export function piiKeyFrom(value: string): Buffer {
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('PII_ENCRYPTION_KEY: expected 32 bytes in base64 (openssl rand -base64 32)');
  return key;
}
