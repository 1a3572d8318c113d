import type { QueryResponse } from '@ragmesh/contracts';
import { createLogger } from '@ragmesh/telemetry';
import { startTelemetry } from '@ragmesh/telemetry/sdk';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createAnswerGenerator, citedChunks } from './answer-generator.js';
import { createApp } from './app.js';
import { GatewayError } from './gateway-error.js';
import type { QueryAsk } from './query-client.js';

startTelemetry({ service: 'gateway-test' });
const asked: QueryAsk[] = [];
const hits: QueryResponse['hits'] = [
  { chunkId: 'c1', documentId: 'd1', title: 'One', uri: null, score: 0.9, text: 'Kafka keeps order per partition.', metadata: {} },
  { chunkId: 'c2', documentId: 'd2', title: 'Two', uri: null, score: 0.5, text: 'Postgres stores vectors.', metadata: { lang: 'en' } },
];
const fakeLlm: typeof fetch = async () => {
  const body = ['data: {"choices":[{"delta":{"content":"Order is kept "}}]}\n\n', 'data: {"choices":[{"delta":{"content":"per partition [1]."}}]}\n\n', 'data: [DONE]\n\n'];
  return new Response(new ReadableStream({ start: (c) => { for (const b of body) c.enqueue(new TextEncoder().encode(b)); c.close(); } }), { status: 200 });
};

function appWith(ask: (q: QueryAsk) => Promise<QueryResponse>) {
  return createApp({
    keys: { resolve: async (key) => (key === 'k' ? { keyId: 'key_k', tenant: 'acme', scopes: ['query'], expiresAt: null } : null) },
    publisher: { nextVersion: () => 1, newEventId: () => 'e', publish: async () => undefined },
    requests: { record: async () => undefined, status: async () => null },
    logger: createLogger({ service: 'test', silent: true }),
    generationFor: async () => ({ id: 1, modelId: 'hash-384', chunking: null }),
    maxBatch: 10,
    bodyLimit: '1mb',
    checks: {},
    query: { ask, generator: createAnswerGenerator({ baseUrl: 'http://llm.invalid', model: 'm', fetch: fakeLlm }) },
  });
}
const ok = appWith(async (q) => {
  asked.push(q);
  return { queryId: 'q1', tenant: q.tenant, hits, timings: { total: 1.5 }, answer: null, error: null };
});
const auth = { authorization: 'Bearer k' };

describe('POST /v1/query', () => {
  it('asks with the key tenant and defaults, and answers hits with a traceparent', async () => {
    const response = await request(ok).post('/v1/query').set(auth).send({ query: 'how is order kept?' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ queryId: 'q1', hits, timings: { total: 1.5 } });
    expect(asked.at(-1)).toEqual({ tenant: 'acme', text: 'how is order kept?', topK: 10, mode: 'HYBRID', filter: null, mmr: null, answer: false, generation: null });
    expect(response.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('validates topK, mode and the filter, naming the field', async () => {
    const topK = await request(ok).post('/v1/query').set(auth).send({ query: 'x', topK: 101 });
    expect(topK.status).toBe(400);
    expect(topK.body.error.details.fields[0].field).toBe('topK');
    const mode = await request(ok).post('/v1/query').set(auth).send({ query: 'x', mode: 'fuzzy' });
    expect(mode.body.error.details.fields[0].field).toBe('mode');
    const filter = await request(ok).post('/v1/query').set(auth).send({ query: 'x', filter: { eq: { field: "a'; DROP TABLE x; --", value: 1 } } });
    expect(filter.status).toBe(400);
    expect(filter.body.error.details.fields[0].field).toBe('filter');
  });

  it('passes a valid filter on as JSON', async () => {
    const response = await request(ok).post('/v1/query').set(auth).send({ query: 'x', mode: 'dense', filter: { and: [{ eq: { field: 'lang', value: 'en' } }, { exists: { field: 'team' } }] } });
    expect(response.status).toBe(200);
    expect(JSON.parse(asked.at(-1)!.filter!)).toEqual({ and: [{ eq: { field: 'lang', value: 'en' } }, { exists: { field: 'team' } }] });
    expect(asked.at(-1)!.mode).toBe('DENSE');
  });

  it('answers 504 when no reply comes before the deadline', async () => {
    const slow = appWith(async () => {
      throw new GatewayError('DEADLINE_EXCEEDED', 'no reply within 10 ms');
    });
    const response = await request(slow).post('/v1/query').set(auth).send({ query: 'x' });
    expect(response.status).toBe(504);
    expect(response.body.error.code).toBe('DEADLINE_EXCEEDED');
  });

  it('streams hits, answer tokens and done as SSE', async () => {
    const response = await request(ok).post('/v1/query').set(auth).set('accept', 'text/event-stream').send({ query: 'order?', answer: true });
    expect(response.headers['content-type']).toMatch(/text\/event-stream/);
    const frames = response.text.trim().split('\n\n').map((frame) => {
      const [event, data] = frame.split('\n');
      return { event: event!.replace('event: ', ''), data: JSON.parse(data!.replace('data: ', '')) };
    });
    expect(frames.map((f) => f.event)).toEqual(['hits', 'token', 'token', 'done']);
    expect(frames[0]!.data.hits).toEqual(hits);
    expect(frames.slice(1, 3).map((f) => f.data.text).join('')).toBe('Order is kept per partition [1].');
    expect(frames[3]!.data.answer).toEqual({ text: 'Order is kept per partition [1].', citations: ['c1'] });
  });

  it('returns the answer with cited chunk ids in JSON mode', async () => {
    const response = await request(ok).post('/v1/query').set(auth).send({ query: 'order?', answer: true });
    expect(response.body.answer).toEqual({ text: 'Order is kept per partition [1].', citations: ['c1'] });
  });
});

describe('citedChunks', () => {
  it('maps [n] to chunk ids in first-citation order and ignores unknown numbers', () => {
    expect(citedChunks('B [2], A [1], again [2], none [7].', hits)).toEqual(['c2', 'c1']);
  });
});
