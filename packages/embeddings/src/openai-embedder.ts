import type { Embedder, EmbedKind, ModelInfo } from './embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { createLimiter } from './limiter.js';
import { backoffDelay, parseRetryAfter } from './retry-after.js';
import { l2Normalize } from './vector.js';

export interface OpenAiEmbedderOptions {
  /** Server root, e.g. `http://127.0.0.1:11434` (Ollama); a trailing `/v1` is accepted too. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set. */
  apiKey?: string;
  /** Model name the server knows; also `model.id` of the vectors. */
  model: string;
  /** Expected vector length; an answer of another length is an INVALID_RESPONSE. */
  dims: number;
  /** Texts per request. Default 64. */
  batchSize?: number;
  /** Requests in flight at once per embedder, across concurrent `embed` calls. Default 4. */
  concurrency?: number;
  /** Retries per request after the first attempt, for retriable failures. Default 5. */
  maxRetries?: number;
  /** Per-attempt timeout. Default 60 s. */
  timeoutMs?: number;
  /** First backoff step for 5xx/network failures (doubles, capped by `maxBackoffMs`). Default 500 ms. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A 429 asking to wait longer than this fails at once (RATE_LIMITED, retriable). Default 60 s. */
  maxRetryAfterMs?: number;
  /** Prepended to `query` texts, for models served with an instruction (bge via TEI). Default none. */
  queryPrefix?: string;
  /** `model.maxTokens`. Default 8191 (OpenAI's text-embedding-3 limit). */
  maxTokens?: number;
  /** `model.version`; the server does not tell. Default `'remote'`. */
  version?: string;
  fetch?: typeof globalThis.fetch;
  /** Injected in tests to observe delays instead of waiting them out. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface EmbeddingItem {
  index: number;
  embedding: number[] | string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new EmbeddingError('INVALID_CONFIG', `${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

function embeddingsUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw new EmbeddingError('INVALID_CONFIG', `baseUrl is not a URL: '${baseUrl}'`, { cause: error });
  }
  const root = url.href.replace(/\/+$/, '');
  return root.endsWith('/v1') ? `${root}/embeddings` : `${root}/v1/embeddings`;
}

/** `encoding_format: "base64"` answers: little-endian float32. */
function decodeBase64(value: string): Float32Array {
  const bytes = Buffer.from(value, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function parseEmbeddings(json: unknown, expected: { count: number; dims: number }): Float32Array[] {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length !== expected.count) {
    throw new EmbeddingError('INVALID_RESPONSE', `expected data[] of ${expected.count} embeddings, got ${Array.isArray(data) ? data.length : typeof data}`);
  }
  const vectors = new Array<Float32Array | undefined>(expected.count);
  for (const item of data as EmbeddingItem[]) {
    const index = item?.index;
    if (!Number.isInteger(index) || index < 0 || index >= expected.count || vectors[index]) {
      throw new EmbeddingError('INVALID_RESPONSE', `embedding index ${String(index)} is missing, out of range or repeated`);
    }
    const raw = item.embedding;
    const vector = typeof raw === 'string' ? decodeBase64(raw) : Array.isArray(raw) ? Float32Array.from(raw) : undefined;
    if (!vector || vector.length !== expected.dims || vector.some((x) => !Number.isFinite(x))) {
      throw new EmbeddingError('INVALID_RESPONSE', `embedding ${index} is not ${expected.dims} finite numbers`);
    }
    vectors[index] = l2Normalize(vector);
  }
  return vectors as Float32Array[];
}

/**
 * Embedder for any server speaking OpenAI's `POST /v1/embeddings` (OpenAI, Ollama, vLLM, TEI,
 * LiteLLM). Splits inputs into batches, keeps at most `concurrency` requests in flight, retries
 * 429 (honouring Retry-After), 408, 5xx and network failures with exponential backoff, puts
 * results back in input order by `index`, and L2-normalizes every vector.
 *
 * `countTokens` is only an estimate, ceil(characters / 4) (OpenAI's rule of thumb for English):
 * the server's tokenizer is not available here, so keep chunks well under `model.maxTokens`.
 */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const url = embeddingsUrl(options.baseUrl);
  const dims = positiveInt('dims', options.dims);
  const batchSize = positiveInt('batchSize', options.batchSize ?? 64);
  const maxRetries = positiveInt('maxRetries', options.maxRetries ?? 5, 0);
  const limit = createLimiter(positiveInt('concurrency', options.concurrency ?? 4));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const backoff = { initialMs: options.initialBackoffMs ?? 500, maxMs: options.maxBackoffMs ?? 30_000 };
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const model: ModelInfo = { id: options.model, version: options.version ?? 'remote', dims, maxTokens: options.maxTokens ?? 8191 };
  let closed = false;

  async function post(input: readonly string[], signal: AbortSignal): Promise<Float32Array[]> {
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: options.model, input }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      text = await response.text();
    } catch (error) {
      throw new EmbeddingError('MODEL_CALL_FAILED', `POST ${url} failed: ${(error as Error).message}`, { retriable: !signal.aborted, cause: error });
    }
    if (!response.ok) {
      const { status } = response;
      const detail = `POST ${url} answered ${status}: ${text.slice(0, 300)}`;
      const retryAfterMs = parseRetryAfter(response.headers);
      if (status === 429) throw new EmbeddingError('RATE_LIMITED', detail, { retriable: true, status, retryAfterMs });
      throw new EmbeddingError('MODEL_CALL_FAILED', detail, { retriable: status >= 500 || status === 408, status, retryAfterMs });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new EmbeddingError('INVALID_RESPONSE', `POST ${url} answered non-JSON: ${text.slice(0, 200)}`, { cause: error });
    }
    return parseEmbeddings(json, { count: input.length, dims });
  }

  async function postWithRetries(input: readonly string[], signal: AbortSignal): Promise<Float32Array[]> {
    for (let retry = 0; ; retry++) {
      try {
        return await limit(() => post(input, signal));
      } catch (error) {
        const retriable = error instanceof EmbeddingError && error.retriable;
        if (!retriable || retry >= maxRetries || signal.aborted) throw error;
        const asked = error.retryAfterMs;
        if (asked !== undefined && asked > maxRetryAfterMs) throw error;
        // The slot is free while we wait: other batches may still get through.
        await sleep(asked ?? backoffDelay(retry + 1, backoff, random));
      }
    }
  }

  async function embed(texts: readonly string[], kind: EmbedKind): Promise<Float32Array[]> {
    if (closed) throw new EmbeddingError('CLOSED', `embedder for ${url} is closed`);
    const prefix = kind === 'query' ? (options.queryPrefix ?? '') : '';
    const inputs = texts.map((text) => prefix + text);
    const batches: string[][] = [];
    for (let start = 0; start < inputs.length; start += batchSize) batches.push(inputs.slice(start, start + batchSize));
    // First failure stops the sibling batches' retries: the caller gets one error, not a storm.
    const abort = new AbortController();
    const results = await Promise.all(
      batches.map((batch) =>
        postWithRetries(batch, abort.signal).catch((error: unknown) => {
          abort.abort();
          throw error;
        }),
      ),
    );
    return results.flat();
  }

  return {
    model,
    embed,
    countTokens: (text) => Math.ceil(text.length / 4),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}
