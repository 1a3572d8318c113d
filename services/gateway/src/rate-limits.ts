import { metrics } from '@opentelemetry/api';
import type { TenantLimits } from '@ragmesh/store';
import type { Logger } from '@ragmesh/telemetry';
import type { RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { GatewayError } from './gateway-error.js';

export type LimitedRoute = 'queries' | 'documents';

export interface RateLimitOptions {
  redis: Redis;
  /** The tenant's own limits, or null for the deployment's defaults. */
  limitsOf: (tenant: string) => Promise<TenantLimits | null>;
  defaults: TenantLimits;
  logger: Logger;
  /** How long a tenant's limits are reused before they are read again. */
  limitsCacheMs?: number;
}

/**
 * Per-tenant budgets shared by every gateway instance (rate-limiter-flexible on Redis): `burst`
 * requests (documents, for ingestion) may come at once, and on average `perMinute`; a window of
 * burst/perMinute minutes holds `burst` points. A batch of N documents costs N and is accepted whole
 * or refused whole (a refused batch's points are given back). Over budget: 429 with Retry-After and
 * RateLimit-* headers. Without Redis each instance limits on its own (in-memory insurance).
 */
export function createRateLimits(options: RateLimitOptions) {
  const rejected = metrics.getMeter('@ragmesh/gateway').createCounter('ragmesh_rate_limited', { description: 'Requests refused for a tenant over its rate limit' });
  const cacheMs = options.limitsCacheMs ?? 5_000;
  const known = new Map<string, { limits: TenantLimits; until: number }>();
  const limiters = new Map<string, RateLimiterAbstract>();

  async function limitsOf(tenant: string): Promise<TenantLimits> {
    const hit = known.get(tenant);
    if (hit && hit.until > Date.now()) return hit.limits;
    const limits = (await options.limitsOf(tenant)) ?? options.defaults;
    if (known.size > 10_000) known.clear();
    known.set(tenant, { limits, until: Date.now() + cacheMs });
    return limits;
  }

  /** One limiter per budget shape (points and window), shared by the tenants that have it. */
  function limiterFor(route: LimitedRoute, points: number, durationSeconds: number): RateLimiterAbstract {
    const name = `${route}:${points}:${durationSeconds}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix: `ragmesh:rl:${name}`,
        points,
        duration: durationSeconds,
        insuranceLimiter: new RateLimiterMemory({ points, duration: durationSeconds }),
      });
      limiters.set(name, limiter);
    }
    return limiter;
  }

  function setHeaders(res: Response, limit: number, state: RateLimiterRes): void {
    res.set('RateLimit-Limit', String(limit));
    res.set('RateLimit-Remaining', String(Math.max(0, state.remainingPoints)));
    res.set('RateLimit-Reset', String(Math.ceil(state.msBeforeNext / 1000)));
  }

    /** Middleware charging `cost(req)` points of the tenant's `route` budget. */
  function limit(route: LimitedRoute, cost: (body: unknown) => number): RequestHandler {
    return async (req, res, next) => {
      const tenant = res.locals.tenant as string;
      const limits = await limitsOf(tenant);
      const perMinute = route === 'queries' ? limits.queriesPerMinute : limits.documentsPerMinute;
      const burst = limits.burst ?? perMinute;
      const durationSeconds = Math.max(1, Math.round((60 * burst) / perMinute));
      const limiter = limiterFor(route, burst, durationSeconds);
      const points = Math.max(1, cost(req.body));
      const key = tenant;
      // More than the burst can never pass: say so rather than ask for a retry that cannot succeed.
      if (points > burst) {
        throw new GatewayError('VALIDATION_FAILED', `documents: a batch of ${points} exceeds the tenant's burst of ${burst}; send smaller batches`, {
          details: { fields: [{ field: 'documents', problem: `more than the burst of ${burst}` }] },
        });
      }
      try {
        setHeaders(res, burst, await limiter.consume(key, points));
        next();
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        // Refused whole: what this request counted is given back.
        await limiter.reward(key, points).catch(() => undefined);
        rejected.add(1, { tenant, route });
        setHeaders(res, burst, error);
        const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw new GatewayError('RATE_LIMITED', `${route} over the tenant's limit of ${perMinute} per minute (burst ${burst}); retry after ${retryAfterSeconds} s`, {
          details: { route, limitPerMinute: perMinute, burst, cost: points, retryAfterSeconds },
        });
      }
    };
  }

  return { limit };
}

export type RateLimits = ReturnType<typeof createRateLimits>;

/** How many documents a POST /v1/documents body carries (a batch, `{documents: [...]}`, or one). */
export function documentCount(body: unknown): number {
  if (Array.isArray(body)) return body.length;
  if (typeof body === 'object' && body !== null && Array.isArray((body as { documents?: unknown }).documents)) return (body as { documents: unknown[] }).documents.length;
  return 1;
}
