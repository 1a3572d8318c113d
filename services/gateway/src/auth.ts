import type { RequestHandler } from 'express';
import { GatewayError } from './gateway-error.js';

export interface TenantResolver {
  tenantOf(key: string): Promise<string | null>;
}

const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

/**
 * Resolves `Authorization: Bearer <key>` to a tenant (in `res.locals.tenant`) or answers 401.
 * Positive answers are cached briefly so a hot key costs no database round trip; a revoked key
 * stops working within CACHE_MS.
 */
export function bearerAuth(keys: TenantResolver): RequestHandler {
  const cache = new Map<string, { tenant: string; until: number }>();
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new GatewayError('UNAUTHENTICATED', 'missing bearer token', { details: { header: 'Authorization' } });
    const key = match[1]!;
    const cached = cache.get(key);
    let tenant = cached && cached.until > Date.now() ? cached.tenant : null;
    if (!tenant) {
      tenant = await keys.tenantOf(key);
      if (!tenant) throw new GatewayError('UNAUTHENTICATED', 'invalid API key', { details: { header: 'Authorization' } });
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(key, { tenant, until: Date.now() + CACHE_MS });
    }
    res.locals.tenant = tenant;
    next();
  };
}
