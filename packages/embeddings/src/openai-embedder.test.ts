import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddingError } from './embedding-error.js';
import { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder.js';
import { parseRetryAfter } from './retry-after.js';

const DIMS = 4;

/** A deterministic, deliberately unnormalized vector per text, so normalization is observable. */
function rawVector(text: string): number[] {
  const code = [...text].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);
  return [text.length, code % 7, 3, (code % 5) + 1];
}

function normalized(values: number[]): number[] {
  const length = Math.hypot(...values);
  return values.map((x) => Math.fround(x / length));
}

interface Call {
  path: string;
  authorization: string | undefined;
  body: { model: string; input: string[] };
}
type Reply = (call: Call, res: ServerResponse) => void | Promise<void>;

const replyOk: Reply = (call, res) => {
  // Reversed on purpose: clients must order by `index`, not by position.
  const data = call.body.input.map((text, index) => ({ object: 'embedding', index, embedding: rawVector(text) })).reverse();
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model: call.body.model }));
};

let server: Server;
let baseUrl: string;
let calls: Call[] = [];
let replies: Reply[] = [];
let active = 0;
let maxActive = 0;
let delayMs = 0;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  active++;
  maxActive = Math.max(maxActive, active);
  try {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const call: Call = { path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(raw) as Call['body'] };
    calls.push(call);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    await (replies.shift() ?? replyOk)(call, res);
  } finally {
    active--;
  }
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  calls = [];
  replies = [];
  active = 0;
  maxActive = 0;
  delayMs = 0;
});

function embedder(overrides: Partial<OpenAiEmbedderOptions> = {}) {
  const sleeps: number[] = [];
  const instance = createOpenAiEmbedder({
    baseUrl,
    model: 'text-embedding-test',
    dims: DIMS,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 1,
    ...overrides,
  });
  return { instance, sleeps };
}

const status =
  (code: number, headers: Record<string, string> = {}): Reply =>
  (_call, res) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: { message: `status ${code}` } }));
  };

const texts = (n: number) => Array.from({ length: n }, (_, i) => `text number ${i} ${'x'.repeat(i % 5)}`);

describe('createOpenAiEmbedder', () => {
  it('posts {model, input} to /v1/embeddings in batches and returns normalized vectors in input order', async () => {
    const { instance } = embedder({ apiKey: 'sk-test', batchSize: 64 });
    const inputs = texts(150);
    const vectors = await instance.embed(inputs, 'document');

    expect(calls.map((c) => c.body.input.length).sort((a, b) => b - a)).toEqual([64, 64, 22]);
    expect(calls.every((c) => c.path === '/v1/embeddings' && c.body.model === 'text-embedding-test')).toBe(true);
    expect(calls[0]!.authorization).toBe('Bearer sk-test');
    expect(vectors).toHaveLength(150);
    vectors.forEach((vector, i) => {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(Array.from(vector)).toEqual(normalized(rawVector(inputs[i]!)));
    });
    expect(instance.model).toEqual({ id: 'text-embedding-test', version: 'remote', dims: DIMS, maxTokens: 8191 });
  });

  it('accepts a base URL that already ends in /v1, sends no auth header without a key, skips empty input', async () => {
    const { instance } = embedder({ baseUrl: `${baseUrl}/v1/` });
    await instance.embed(['a'], 'document');
    expect(calls[0]!.path).toBe('/v1/embeddings');
    expect(calls[0]!.authorization).toBeUndefined();
    expect(await instance.embed([], 'document')).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('prefixes queries only when a queryPrefix is configured', async () => {
    const { instance } = embedder({ queryPrefix: 'query: ' });
    await instance.embed(['q'], 'query');
    await instance.embed(['d'], 'document');
    expect(calls.map((c) => c.body.input)).toEqual([['query: q'], ['d']]);
  });

  it('waits the Retry-After of a 429 (seconds) and then succeeds', async () => {
    replies = [status(429, { 'retry-after': '1' })];
    const { instance, sleeps } = embedder();
    const [vector] = await instance.embed(['hello'], 'document');
    expect(sleeps).toEqual([1000]);
    expect(calls).toHaveLength(2);
    expect(Array.from(vector!)).toEqual(normalized(rawVector('hello')));
  });

  it('gives up at once with a retriable RATE_LIMITED when Retry-After exceeds maxRetryAfterMs', async () => {
    replies = [status(429, { 'retry-after': '120' })];
    const { instance, sleeps } = embedder({ maxRetryAfterMs: 60_000 });
    const error = await instance.embed(['hello'], 'document').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retriable: true, status: 429, retryAfterMs: 120_000 });
    expect(sleeps).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('retries a 500 with exponential backoff and then succeeds', async () => {
    replies = [status(500), status(502)];
    const { instance, sleeps } = embedder({ initialBackoffMs: 100 });
    const [vector] = await instance.embed(['hello'], 'document');
    // random() = 1 gives the ceiling of each jittered step: 100, then 200.
    expect(sleeps).toEqual([100, 200]);
    expect(calls).toHaveLength(3);
    expect(vector).toHaveLength(DIMS);
  });

  it('stops after maxRetries with a retriable MODEL_CALL_FAILED carrying the status', async () => {
    replies = Array.from({ length: 10 }, () => status(503));
    const { instance, sleeps } = embedder({ maxRetries: 2, initialBackoffMs: 10 });
    const error = await instance.embed(['hello'], 'document').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EmbeddingError', code: 'MODEL_CALL_FAILED', retriable: true, status: 503 });
    expect(calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('does not retry a 400: the request itself is wrong', async () => {
    replies = [status(400)];
    const { instance } = embedder();
    const error = await instance.embed(['hello'], 'document').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_CALL_FAILED', retriable: false, status: 400 });
    expect(calls).toHaveLength(1);
  });

  it('retries network failures', async () => {
    let failures = 1;
    const flaky: typeof fetch = (input, init) => {
      if (failures-- > 0) return Promise.reject(new TypeError('fetch failed'));
      return fetch(input, init);
    };
    const { instance, sleeps } = embedder({ fetch: flaky, initialBackoffMs: 10 });
    await expect(instance.embed(['hello'], 'document')).resolves.toHaveLength(1);
    expect(sleeps).toEqual([10]);
  });

  it('rejects answers with the wrong vector length or missing indexes as INVALID_RESPONSE, without retrying', async () => {
    replies = [
      (_call, res) => void res.writeHead(200).end(JSON.stringify({ data: [{ index: 0, embedding: [1, 2, 3] }] })),
      (_call, res) => void res.writeHead(200).end(JSON.stringify({ data: [{ index: 0, embedding: [1, 2, 3, 4] }, { index: 0, embedding: [1, 2, 3, 4] }] })),
      (_call, res) => void res.writeHead(200).end('<html>proxy error</html>'),
    ];
    const { instance } = embedder();
    await expect(instance.embed(['a'], 'document')).rejects.toMatchObject({ code: 'INVALID_RESPONSE', retriable: false });
    await expect(instance.embed(['a', 'b'], 'document')).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
    await expect(instance.embed(['a'], 'document')).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
    expect(calls).toHaveLength(3);
  });

  it('decodes base64 embeddings', async () => {
    replies = [
      (_call, res) => {
        const embedding = Buffer.from(new Float32Array([3, 0, 4, 0]).buffer).toString('base64');
        res.writeHead(200).end(JSON.stringify({ data: [{ index: 0, embedding }] }));
      },
    ];
    const [vector] = await embedder().instance.embed(['a'], 'document');
    expect(Array.from(vector!)).toEqual([Math.fround(0.6), 0, Math.fround(0.8), 0]);
  });

  it('never has more than `concurrency` requests in flight, across concurrent embed calls', async () => {
    delayMs = 100;
    const { instance } = embedder({ batchSize: 2, concurrency: 3 });
    const [a, b] = await Promise.all([instance.embed(texts(12), 'document'), instance.embed(texts(8), 'document')]);
    expect(a).toHaveLength(12);
    expect(b).toHaveLength(8);
    expect(calls).toHaveLength(10);
    expect(maxActive).toBe(3);
  });

  it('approximates tokens as ceil(chars / 4) and refuses work after close', async () => {
    const { instance } = embedder();
    expect(instance.countTokens('abcdefghi')).toBe(3);
    await instance.close();
    await expect(instance.embed(['a'], 'document')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('validates its options', () => {
    expect(() => createOpenAiEmbedder({ baseUrl: 'not a url', model: 'm', dims: 4 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => createOpenAiEmbedder({ baseUrl, model: 'm', dims: 4, concurrency: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const parse = (headers: Record<string, string>) => parseRetryAfter(new Headers(headers), now);

  it('reads delta-seconds, HTTP dates and retry-after-ms', () => {
    expect(parse({ 'retry-after': '1' })).toBe(1000);
    expect(parse({ 'retry-after': '0.5' })).toBe(500);
    expect(parse({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' })).toBe(3000);
    expect(parse({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' })).toBe(0);
    expect(parse({ 'retry-after-ms': '250', 'retry-after': '1' })).toBe(250);
  });

  it('returns undefined when absent or unreadable', () => {
    expect(parse({})).toBeUndefined();
    expect(parse({ 'retry-after': 'soon' })).toBeUndefined();
  });
});
