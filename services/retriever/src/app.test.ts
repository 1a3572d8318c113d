import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { QueryRequest, QueryResponse } from '@ragmesh/contracts';
import type { SearchRequest, SearchResult } from '@ragmesh/retrieval';
import { createLogger } from '@ragmesh/telemetry';
import { WorkerError, type WorkerMessage } from '@ragmesh/worker-runtime';
import { describe, expect, it } from 'vitest';
import { createRetriever } from './app.js';

function request(text: string, overrides: Partial<QueryRequest> = {}): WorkerMessage<QueryRequest> {
  const event: QueryRequest = {
    queryId: `q-${text}`, tenant: 't1', text, topK: 5, mode: 'HYBRID', filter: null, mmr: null, answer: false,
    deadline: Date.now() + 10_000, replyTo: { topic: 'queries.response', partition: 0, key: `gw:q-${text}` }, generation: null, ...overrides,
  };
  return { topic: 'queries.request', partition: 0, offset: '0', key: `t1:${event.queryId}`, event, headers: {}, traceContext: ROOT_CONTEXT };
}

const hit = (text: string) => ({ chunkId: `c-${text}`, documentId: 'd', title: null, uri: null, score: 1, text, metadata: {} });

/** The retriever with a searcher that answers after `delays[text]` ms (or throws `failures[text]` that many times). */
function harness(options: { delays?: Record<string, number>; failures?: Record<string, number> } = {}) {
  const replies: QueryResponse[] = [];
  const searches: string[] = [];
  const failures = { ...options.failures };
  const retriever = createRetriever({
    searcher: {
      search: async (input: SearchRequest): Promise<SearchResult> => {
        searches.push(input.text);
        if ((failures[input.text] ?? 0) > 0) {
          failures[input.text]! -= 1;
          throw new WorkerError('HANDLER_FAILED', 'connection reset', { retriable: true });
        }
        await new Promise((resolve) => setTimeout(resolve, options.delays?.[input.text] ?? 0));
        return { hits: [hit(input.text)], timings: { total: 1 } };
      },
    },
    caches: { results: false, queryVector: async () => new Float32Array(4), getResult: async () => null, setResult: async () => undefined },
    corpusVersion: async () => '1',
    generationFor: async () => ({ id: 1, provider: 'hash', model: { id: 'm', dims: 4 } }),
    embedQuery: async () => new Float32Array(4),
    publisher: { publish: async ({ response }) => void replies.push(response) },
    replyTopics: ['queries.response'],
    logger: createLogger({ service: 'retriever-test', level: 'error' }),
  });
  return { retriever, replies, searches };
}

describe('retriever handler', () => {
  it('does not hold the requests behind a slow search: the fast one is answered first', async () => {
    const { retriever, replies } = harness({ delays: { slow: 300, fast: 0 } });
    const handled = Date.now();
    await retriever.handle([request('slow')], { heartbeat: async () => undefined });
    await retriever.handle([request('fast')], { heartbeat: async () => undefined });
    expect(Date.now() - handled).toBeLessThan(250);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(replies.map((r) => r.queryId)).toEqual(['q-fast']);
    await retriever.drain();
    expect(replies.map((r) => r.queryId)).toEqual(['q-fast', 'q-slow']);
    expect(replies[1]!.hits).toEqual([hit('slow')]);
    expect(retriever.inFlightCount()).toBe(0);
  });

  it('retries a transient search failure, then answers UNAVAILABLE instead of leaving the asker to its deadline', async () => {
    const { retriever, replies, searches } = harness({ failures: { once: 1, always: 99 } });
    await retriever.handle([request('once'), request('always')], { heartbeat: async () => undefined });
    await retriever.drain();
    const byId = Object.fromEntries(replies.map((r) => [r.queryId, r]));
    expect(byId['q-once']).toMatchObject({ hits: [hit('once')], error: null });
    expect(byId['q-always']).toMatchObject({ hits: [], error: { code: 'UNAVAILABLE' } });
    expect(searches.filter((t) => t === 'always')).toHaveLength(3);
  });

  it('rejects a request whose reply topic is not allowed, so the runtime sends it to the DLQ', async () => {
    const { retriever, replies } = harness();
    const bad = request('x', { replyTo: { topic: 'documents.ingest', partition: 0, key: 'k' } });
    await expect(retriever.handle([bad], { heartbeat: async () => undefined })).rejects.toMatchObject({ code: 'REPLY_TOPIC_NOT_ALLOWED' });
    await retriever.drain();
    expect(replies).toEqual([]);
  });

  it('answers a bad filter with INVALID_FILTER and an expired request with nothing', async () => {
    const { retriever, replies } = harness();
    await retriever.handle([request('f', { filter: '{"eq":' }), request('late', { deadline: Date.now() - 1 })], { heartbeat: async () => undefined });
    await retriever.drain();
    expect(replies).toMatchObject([{ queryId: 'q-f', hits: [], error: { code: 'INVALID_FILTER' } }]);
  });
});
