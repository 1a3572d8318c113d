import { z } from 'zod';
import { acceptedResponse, documentInput } from './document-schemas.js';
import { queryInput } from './query-schemas.js';

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }) });
const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: z.ZodType) => ({ 'application/json': { schema: schema(s) } });
const errors = Object.fromEntries(
  [['400', 'invalid request; details.fields names each bad field'], ['401', 'missing, invalid, revoked or expired API key'], ['403', 'the key lacks the scope the route needs; details.scope names it'], ['413', 'body too large'], ['429', 'over the tenant\'s rate limit: Retry-After and RateLimit-* headers say when'], ['503', 'a dependency is unavailable']].map(
    ([status, description]) => [status, { description, content: json(errorBody) }],
  ),
);

/** The OpenAPI 3.1 description served at /openapi.json, derived from the same zod schemas that validate. */
export function openApiDocument(extraPaths: Record<string, unknown> = {}) {
  return {
    openapi: '3.1.0',
    info: { title: 'ragmesh gateway', version: '0.1.0' },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    security: [{ apiKey: [] }],
    paths: {
      '/v1/documents': {
        post: {
          summary: 'Publish one document or a batch for indexing (scope ingest)',
          requestBody: {
            content: {
              'application/json': {
                schema: { oneOf: [schema(documentInput), { type: 'array', items: schema(documentInput) }, { type: 'object', properties: { documents: { type: 'array', items: schema(documentInput) } }, required: ['documents'] }] },
              },
            },
          },
          responses: { '202': { description: 'accepted and durable in documents.ingest', content: json(acceptedResponse) }, ...errors },
        },
      },
      '/v1/documents/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: { summary: 'Indexing status, version and chunk count (scope ingest)', responses: { '200': { description: 'status' }, '404': { description: 'unknown document' }, ...errors } },
        delete: { summary: 'Delete the document and all its chunks (scope ingest)', responses: { '202': { description: 'delete accepted' }, ...errors } },
      },
      '/v1/query': {
        post: {
          summary: 'Hybrid, dense or sparse retrieval (scope query; the generation field needs admin, restorePii needs pii:read); Accept: text/event-stream streams hits, answer tokens and done as SSE',
          requestBody: { content: json(queryInput) },
          responses: {
            '200': { description: '{ queryId, hits: [{ chunkId, documentId, title, uri, score, text, metadata }], timings, answer? }; a traceparent header' },
            '504': { description: 'no reply before the deadline', content: json(errorBody) },
            ...errors,
          },
        },
      },
      '/v1/generations': {
        get: { summary: 'The tenant\'s index generations and their states (scope admin)', responses: { '200': { description: '{ generations: [{ id, state, reason, activatedAt, provider, modelId, dims, chunking }] }' }, ...errors } },
      },
      '/healthz': { get: { security: [], summary: 'liveness', responses: { '200': { description: 'alive' } } } },
      '/readyz': { get: { security: [], summary: 'Kafka, registry and Postgres reachable', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
      '/metrics': { get: { security: [], summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition' } } } },
      ...extraPaths,
    },
  };
}
