import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocumentRequests } from '@ragmesh/store';
import { traceparentOf, type Logger } from '@ragmesh/telemetry';
import { readinessReport, type ReadinessCheck } from '@ragmesh/worker-runtime';
import express from 'express';
import type { GenerationStore } from '@ragmesh/store';
import { assertScope, bearerAuth, requireScope, type KeyResolver } from './auth.js';
import type { DocumentPublisher } from './document-publisher.js';
import { documentsRouter, type DocumentsRouterDeps, type IndexGenerationResolver } from './documents-router.js';
import { errorHandler } from './error-handler.js';
import { GatewayError } from './gateway-error.js';
import { openApiDocument } from './openapi.js';
import { queryRouter, type QueryRouterDeps } from './query-router.js';
import { documentCount, type RateLimits } from './rate-limits.js';

export interface GatewayDeps {
  keys: KeyResolver;
  publisher: DocumentPublisher;
  requests: Pick<DocumentRequests, 'record' | 'status'>;
  logger: Logger;
  generationFor: IndexGenerationResolver;
  maxBatch: number;
  bodyLimit: string;
  checks: Record<string, ReadinessCheck>;
  /** Dependencies the gateway works without: reported by /readyz, never failing it. */
  degradable?: Record<string, ReadinessCheck>;
  /** Per-tenant rate limits; absent in tests that drive the app in memory. */
  rateLimits?: RateLimits;
  /** A redacting tenant's URI and title before they are recorded (see query-pii.ts). */
  redactRecord?: DocumentsRouterDeps['redactRecord'];
  /** Generations for GET /v1/generations (admin keys); absent in tests that do not need it. */
  generations?: Pick<GenerationStore, 'list' | 'tenantStates'>;
  /** The query path; absent in deployments (and tests) that only ingest. */
  query?: QueryRouterDeps;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** The gateway's express app, without `listen`, so tests drive it in memory. */
export function createApp(deps: GatewayDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const { httpStatus, body } = await readinessReport({ checks: deps.checks, degradable: deps.degradable });
    res.status(httpStatus).json(body);
  });
  app.get('/metrics', (req, res) => {
    if (deps.metricsHandler) deps.metricsHandler(req, res);
    else res.status(404).end();
  });
  app.get('/openapi.json', (_req, res) => void res.json(openApiDocument()));

  // Every answer names its trace (the HTTP request's span), so a user can open it in the trace UI.
  app.use('/v1', (_req, res, next) => {
    const traceparent = traceparentOf();
    if (traceparent) res.setHeader('traceparent', traceparent);
    next();
  });
  app.use('/v1', express.json({ limit: deps.bodyLimit, type: ['application/json', 'application/*+json'] }));
  app.use('/v1', (req, _res, next) => {
    if ((req.method === 'POST' || req.method === 'PUT') && !req.is(['application/json', 'application/*+json'])) {
      throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json', { details: { header: 'Content-Type' } });
    }
    next();
  });
  app.use('/v1', bearerAuth(deps.keys));
  // What each route needs of the key, checked before a request spends any of the tenant's budget.
  app.post('/v1/documents', requireScope('ingest'));
  app.delete('/v1/documents/:id', requireScope('ingest'));
  app.get('/v1/documents/:id', requireScope('ingest'));
  app.post('/v1/query', requireScope('query'), (req, res, next) => {
    const body = req.body as { generation?: unknown; restorePii?: unknown } | undefined;
    if (body?.generation !== undefined) assertScope(res, 'admin', 'needed to query a chosen generation');
    if (body?.restorePii === true) assertScope(res, 'pii:read', 'needed to restore PII in hits');
    next();
  });
  app.get('/v1/generations', requireScope('admin'));
  if (deps.rateLimits) {
    app.post('/v1/documents', deps.rateLimits.limit('documents', documentCount));
    app.delete('/v1/documents/:id', deps.rateLimits.limit('documents', () => 1));
    app.post('/v1/query', deps.rateLimits.limit('queries', () => 1));
  }
  app.use(documentsRouter({ publisher: deps.publisher, requests: deps.requests, generationFor: deps.generationFor, maxBatch: deps.maxBatch, redactRecord: deps.redactRecord }));
  if (deps.query) app.use(queryRouter(deps.query));
  const generations = deps.generations;
  if (generations) {
    app.get('/v1/generations', async (_req, res) => {
      const [states, all] = await Promise.all([generations.tenantStates({ tenant: res.locals.tenant as string }), generations.list()]);
      const byId = new Map(all.map((g) => [g.id, g]));
      res.json({
        generations: states.map((t) => {
          const g = byId.get(t.generation);
          return { id: t.generation, state: t.state, reason: t.reason, activatedAt: t.activatedAt, provider: g?.provider, modelId: g?.modelId, dims: g?.dims, chunking: g?.chunking ?? null };
        }),
      });
    });
  }
  app.use((req) => {
    throw new GatewayError('NOT_FOUND', `no route ${req.method} ${req.path}`);
  });
  app.use(errorHandler(deps.logger));
  return app;
}
