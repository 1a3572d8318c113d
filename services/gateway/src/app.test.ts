import type { DocumentEvent } from '@ragmesh/contracts';
import type { ApiKeyGrant, DocumentRequest, DocumentStatus } from '@ragmesh/store';
import { createLogger } from '@ragmesh/telemetry';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import type { DocumentPublisher } from './document-publisher.js';

const published: DocumentEvent[] = [];
const recorded: { tenant: string; requests: DocumentRequest[] }[] = [];
let failPublish = false;
let version = 1000;

const publisher: DocumentPublisher = {
  nextVersion: () => ++version,
  newEventId: () => `evt-${version}`,
  publish: async (events) => {
    if (failPublish) throw Object.assign(new Error('broker down'), { retriable: true });
    published.push(...events);
  },
};

const app = createApp({
  keys: {
    resolve: async (key) => {
      const grants: Record<string, ApiKeyGrant> = {
        'key-acme': { keyId: 'key_acme', tenant: 'acme', scopes: ['ingest', 'query'], expiresAt: null },
        'key-globex': { keyId: 'key_globex', tenant: 'globex', scopes: ['ingest', 'query'], expiresAt: null },
        'key-acme-query': { keyId: 'key_acme_q', tenant: 'acme', scopes: ['query'], expiresAt: null },
      };
      return grants[key] ?? null;
    },
  },
  publisher,
  requests: {
    record: async (tenant, _generation, requests) => void recorded.push({ tenant, requests }),
    status: async (tenant, id) => (tenant === 'acme' && id === 'known' ? ({ id, status: 'indexed', chunkCount: 2 } as DocumentStatus) : null),
  },
  logger: createLogger({ service: 'test', silent: true }),
  generationFor: async () => ({ id: 1, modelId: 'hash-384', chunking: null }),
  maxBatch: 3,
  bodyLimit: '2kb',
  checks: { kafka: () => undefined },
});
const auth = { authorization: 'Bearer key-acme' };

beforeEach(() => {
  published.length = 0;
  recorded.length = 0;
  failPublish = false;
});

describe('POST /v1/documents', () => {
  it('accepts one document, publishes it under the key tenant, and answers its content hash', async () => {
    const response = await request(app).post('/v1/documents').set(auth).send({ id: 'doc-1', content: 'Hello world.', title: 'T', metadata: { lang: 'en' } });
    expect(response.status).toBe(202);
    expect(response.body.documents).toHaveLength(1);
    expect(response.body.documents[0]).toMatchObject({ id: 'doc-1', contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ op: 'UPSERT', tenant: 'acme', documentId: 'doc-1', content: 'Hello world.', contentType: 'text/plain', chunking: 'default', metadata: { lang: 'en' } });
    expect(published[0]!.contentHash).toBe(response.body.documents[0].contentHash);
    expect(recorded[0]).toMatchObject({ tenant: 'acme', requests: [{ documentId: 'doc-1', op: 'UPSERT' }] });
  });

  it('takes the tenant from the key, never from the body', async () => {
    const response = await request(app).post('/v1/documents').set({ authorization: 'Bearer key-globex' }).send({ id: 'x', content: 'c', tenant: 'acme' });
    expect(response.status).toBe(400);
    expect(response.body.error.details.fields).toEqual([{ field: 'tenant', problem: 'unknown field' }]);
    const ok = await request(app).post('/v1/documents').set({ authorization: 'Bearer key-globex' }).send({ id: 'x', content: 'c' });
    expect(ok.status).toBe(202);
    expect(published[0]!.tenant).toBe('globex');
  });

  it('accepts a batch and gives equal content the same hash', async () => {
    const response = await request(app)
      .post('/v1/documents')
      .set(auth)
      .send({ documents: [{ id: 'a', content: 'Same text.' }, { id: 'b', content: 'Same text.' }, { id: 'c', content: 'Other text.' }] });
    expect(response.status).toBe(202);
    const [a, b, c] = response.body.documents;
    expect(a.contentHash).toBe(b.contentHash);
    expect(a.contentHash).not.toBe(c.contentHash);
    expect(published.map((e) => e.documentId)).toEqual(['a', 'b', 'c']);
  });

  it('names the bad field of a batch item', async () => {
    const response = await request(app).post('/v1/documents').set(auth).send({ documents: [{ id: 'a', content: 'ok' }, { id: 'b', content: '' }] });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details.fields).toEqual([{ field: 'documents.1.content', problem: 'must not be empty' }]);
    expect(published).toHaveLength(0);
  });

  it('rejects unknown content types and policies by field', async () => {
    const response = await request(app).post('/v1/documents').set(auth).send({ id: 'a', content: 'x', contentType: 'application/pdf', chunking: 'huge' });
    expect(response.status).toBe(400);
    expect(response.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['chunking', 'contentType']);
  });

  it('limits the batch size', async () => {
    const documents = Array.from({ length: 4 }, (_, i) => ({ id: `d${i}`, content: 'x' }));
    const response = await request(app).post('/v1/documents').set(auth).send(documents);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/at most 3 documents/);
  });

  it('answers 413 over the body limit', async () => {
    const response = await request(app).post('/v1/documents').set(auth).send({ id: 'a', content: 'x'.repeat(4000) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 400 for malformed JSON and 415 for another media type', async () => {
    const malformed = await request(app).post('/v1/documents').set(auth).set('content-type', 'application/json').send('{"id":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    const text = await request(app).post('/v1/documents').set(auth).set('content-type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
  });

  it('answers 401 without or with a wrong key', async () => {
    const missing = await request(app).post('/v1/documents').send({ id: 'a', content: 'x' });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('UNAUTHENTICATED');
    const wrong = await request(app).post('/v1/documents').set({ authorization: 'Bearer nope' }).send({ id: 'a', content: 'x' });
    expect(wrong.status).toBe(401);
    expect(published).toHaveLength(0);
  });

  it('answers 403 naming the scope when the key lacks it, and publishes nothing', async () => {
    const reader = { authorization: 'Bearer key-acme-query' };
    for (const call of [
      request(app).post('/v1/documents').set(reader).send({ id: 'a', content: 'x' }),
      request(app).delete('/v1/documents/a').set(reader),
      request(app).get('/v1/documents/known').set(reader),
    ]) {
      const res = await call;
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', details: { scope: 'ingest', keyId: 'key_acme_q', scopes: ['query'] } });
    }
    const generations = await request(app).get('/v1/generations').set(auth);
    expect(generations.status).toBe(403);
    expect(generations.body.error.details.scope).toBe('admin');
    const chosen = await request(app).post('/v1/query').set(auth).send({ query: 'x', generation: 2 });
    expect(chosen.status).toBe(403);
    expect(chosen.body.error.details.scope).toBe('admin');
    const queryOnly = await request(app).post('/v1/query').set({ authorization: 'Bearer key-acme-query' }).send({ query: 'x' });
    expect(queryOnly.status).not.toBe(403);
    expect(published).toHaveLength(0);
  });

  it('answers 503, not 202, when the event could not be made durable', async () => {
    failPublish = true;
    const response = await request(app).post('/v1/documents').set(auth).send({ id: 'a', content: 'x' });
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('UNAVAILABLE');
    expect(response.headers['retry-after']).toBe('2');
  });

  it('answers 503 for a broker outage however kafkajs words it', async () => {
    const original = publisher.publish;
    publisher.publish = async () => {
      throw Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSNonRetriableError', retriable: false });
    };
    try {
      const response = await request(app).post('/v1/documents').set(auth).send({ id: 'a', content: 'x' });
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('2');
    } finally {
      publisher.publish = original;
    }
  });
});

describe('DELETE and GET /v1/documents/{id}', () => {
  it('publishes a delete', async () => {
    const response = await request(app).delete('/v1/documents/doc-9').set(auth);
    expect(response.status).toBe(202);
    expect(published[0]).toMatchObject({ op: 'DELETE', tenant: 'acme', documentId: 'doc-9', content: null });
  });

  it('returns the status of a known document and 404 otherwise', async () => {
    expect((await request(app).get('/v1/documents/known').set(auth)).body).toMatchObject({ status: 'indexed', chunkCount: 2 });
    const missing = await request(app).get('/v1/documents/unknown').set(auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    expect((await request(app).get('/v1/documents/known').set({ authorization: 'Bearer key-globex' })).status).toBe(404);
  });
});

describe('operations endpoints', () => {
  it('serves health, readiness and an OpenAPI document', async () => {
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready', checks: { kafka: 'ok' } });
    const openapi = await request(app).get('/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/documents', '/v1/documents/{id}']));
  });
});
