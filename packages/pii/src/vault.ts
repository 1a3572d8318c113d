import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { detectPii } from './detect.js';

/** A token as it appears in redacted text: `[EMAIL:1f3a…]` (kind, then 20 hex digits). */
export const PII_TOKEN = /\[([A-Z][A-Z0-9_]{0,31}):([0-9a-f]{20})\]/g;

export interface Redaction {
  text: string;
  /** token -> original value, for every value replaced */
  values: Map<string, string>;
}

/**
 * Tokens and the encrypted token map of one deployment, from one secret (PII_ENCRYPTION_KEY, 32
 * bytes). Two keys are derived from it with HKDF: one makes tokens (HMAC-SHA256 of tenant, kind
 * and value, so a value gets the same token every time within a tenant and a different one in
 * another tenant), one seals values (AES-256-GCM, the tenant and token bound in as associated
 * data, so a sealed value cannot be moved to another row).
 */
export function createPiiVault(secret: Buffer) {
  if (secret.length !== 32) throw new Error('the PII key must be 32 bytes');
  const tokenKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'ragmesh pii token', 32));
  const sealKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'ragmesh pii map', 32));
  const aad = (tenant: string, token: string) => Buffer.from(`${tenant}\0${token}`);

  function tokenFor(tenant: string, kind: string, value: string): string {
    const mac = createHmac('sha256', tokenKey).update(`${tenant}\0${kind}\0${value}`).digest('hex');
    return `[${kind}:${mac.slice(0, 20)}]`;
  }

  return {
    tokenFor,

    /** `text` with every detected value (built-in kinds and `custom` patterns) replaced by its token, recorded in `values`. */
    redact(tenant: string, text: string, options: { custom?: Parameters<typeof detectPii>[1]; values?: Map<string, string> } = {}): Redaction {
      const values = options.values ?? new Map<string, string>();
      let out = '';
      let at = 0;
      for (const m of detectPii(text, options.custom)) {
        const token = tokenFor(tenant, m.kind, m.value);
        values.set(token, m.value);
        out += text.slice(at, m.start) + token;
        at = m.end;
      }
      return { text: out + text.slice(at), values };
    },

    /** Seals a value for the token map: iv (12) | tag (16) | ciphertext. */
    seal(tenant: string, token: string, value: string): Buffer {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      cipher.setAAD(aad(tenant, token));
      const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },

    /** Opens a sealed value; throws when it was altered or sealed for another tenant or token. */
    open(tenant: string, token: string, sealed: Buffer): string {
      const decipher = createDecipheriv('aes-256-gcm', sealKey, sealed.subarray(0, 12));
      decipher.setAAD(aad(tenant, token));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

export type PiiVault = ReturnType<typeof createPiiVault>;

/** Every token in `text`. */
export function tokensIn(text: string): string[] {
  return [...text.matchAll(PII_TOKEN)].map((m) => m[0]);
}

/** `text` with each known token replaced by its value (unknown tokens stay). */
export function restoreTokens(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(PII_TOKEN, (token) => values.get(token) ?? token);
}
