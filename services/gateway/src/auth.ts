import type { ApiKeyGrant, ApiKeyScope } from '@ragmesh/store';
import type { RequestHandler, Response } from 'express';
import { GatewayError } from './gateway-error.js';

export interface KeyResolver {
  resolve(key: string): Promise<ApiKeyGrant | null>;
}

/** How long a key's grant is trusted without asking Postgres: a revocation reaches every gateway within this. */
const CACHE_MS = 1_000;
const CACHE_MAX = 10_000;

/**
 * Resolves `Authorization: Bearer <key>` to its grant (tenant in `res.locals.tenant`, the grant in
 * `res.locals.grant`) or answers 401. A grant is cached for at most a second, and never past the
 * key's expiry, so a hot key costs one database round trip a second per instance.
 */
export function bearerAuth(keys: KeyResolver): RequestHandler {
  const cache = new Map<string, { grant: ApiKeyGrant; until: number }>();
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new GatewayError('UNAUTHENTICATED', 'missing bearer token', { details: { header: 'Authorization' } });
    const key = match[1]!;
    const now = Date.now();
    const cached = cache.get(key);
    let grant = cached && cached.until > now ? cached.grant : null;
    if (!grant) {
      grant = await keys.resolve(key);
      if (!grant) {
        cache.delete(key);
        throw new GatewayError('UNAUTHENTICATED', 'invalid, revoked or expired API key', { details: { header: 'Authorization' } });
      }
      if (cache.size >= CACHE_MAX) cache.clear();
      // Counted from before the lookup: an answer read just before a revocation expires in time too.
      cache.set(key, { grant, until: Math.min(now + CACHE_MS, grant.expiresAt?.getTime() ?? Infinity) });
    }
    res.locals.tenant = grant.tenant;
    res.locals.grant = grant;
    next();
  };
}

/** Throws 403 unless the request's key has `scope`. */
export function assertScope(res: Response, scope: ApiKeyScope, why?: string): void {
  const grant = res.locals.grant as ApiKeyGrant | undefined;
  if (grant?.scopes.includes(scope)) return;
  throw new GatewayError('FORBIDDEN', `this API key lacks the "${scope}" scope${why ? ` (${why})` : ''}`, {
    details: { scope, keyId: grant?.keyId ?? null, scopes: grant?.scopes ?? [] },
  });
}

/** Middleware form of assertScope. */
export function requireScope(scope: ApiKeyScope): RequestHandler {
  return (_req, res, next) => {
    assertScope(res, scope);
    next();
  };
}
