import { metrics, type Context } from '@opentelemetry/api';
import type { QueryRequest, QueryResponse } from '@ragmesh/contracts';
import { parseFilter, type Filter, type Searcher } from '@ragmesh/retrieval';
import type { Logger } from '@ragmesh/telemetry';
import type { BatchHandler, WorkerMessage } from '@ragmesh/worker-runtime';
import { isRetriable } from '@ragmesh/worker-runtime';
import { resultKey, type QueryCaches } from './query-caches.js';
import { RetrieverError } from './retriever-error.js';

/** Publishes a reply where the request asked for it. */
export interface ReplyPublisher {
  publish(reply: { replyTo: QueryRequest['replyTo']; response: QueryResponse; traceContext: Context }): Promise<void>;
}

/** The index generation a query reads: its id and the model that embeds its queries. */
export interface SearchGeneration {
  id: number;
  provider: 'local' | 'openai' | 'hash';
  model: { id: string; dims: number };
}

export interface RetrieverDeps {
  searcher: Pick<Searcher, 'search'>;
  caches: QueryCaches;
  corpusVersion: (tenant: string) => Promise<string>;
  /**
   * The generation to search: the tenant's active one, or `requested` when the tenant has it
   * (building, active or standby). Throws RetrieverError INVALID_REQUEST for one it does not have.
   */
  generationFor: (tenant: string, requested: number | null) => Promise<SearchGeneration>;
  embedQuery: (generation: SearchGeneration, text: string) => Promise<Float32Array>;
  publisher: ReplyPublisher;
  replyTopics: readonly string[];
  logger: Logger;
  now?: () => number;
  /** Queries answered at once; the consumer waits for a free slot beyond this (64 by default). */
  maxInFlight?: number;
}

const modes = { HYBRID: 'hybrid', DENSE: 'dense', SPARSE: 'sparse' } as const;
const RETRY_ATTEMPTS = 3;
const RETRY_DELAY_MS = 100;

/**
 * The queries.request handler: answers every request of a slice concurrently, each as soon as
 * it is ready, from the result cache when the tenant's corpus has not changed since.
 */
export function createRetriever(deps: RetrieverDeps) {
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'retriever' });
  const meter = metrics.getMeter('@ragmesh/retriever');
  const queries = meter.createCounter('ragmesh_queries', { description: 'Queries by outcome' });
  const latency = meter.createHistogram('ragmesh_query_duration_seconds', {
    description: 'Time from request consumed to reply published',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5] },
  });
  async function search(request: QueryRequest, filter: Filter | undefined): Promise<QueryResponse> {
    const started = performance.now();
    const generation = await deps.generationFor(request.tenant, request.generation);
    // Query vectors are the model's; results are the generation's (two generations may share a model).
    const cacheModel = generation.model.id;
    const normalized = { text: request.text.trim().replace(/\s+/g, ' '), topK: request.topK, mode: request.mode, filter: filter ?? null, mmr: request.mmr };
    const key = deps.caches.results
      ? resultKey({ tenant: request.tenant, corpusVersion: await deps.corpusVersion(request.tenant), model: `g${generation.id}:${cacheModel}`, request: normalized })
      : null;
    const cached = key === null ? null : await deps.caches.getResult(key);
    if (cached) {
      queries.add(1, { outcome: 'cache_hit' });
      return { queryId: request.queryId, tenant: request.tenant, hits: cached.hits, timings: { total: performance.now() - started, cached: 1 }, answer: null, error: null };
    }
    const embedStarted = performance.now();
    const vector = request.mode === 'SPARSE' && !request.mmr ? null : await deps.caches.queryVector(cacheModel, normalized.text, () => deps.embedQuery(generation, normalized.text));
    const embedMs = performance.now() - embedStarted;
    const result = await deps.searcher.search({
      tenant: request.tenant,
      model: generation.model,
      generation: generation.id,
      queryVector: vector,
      text: normalized.text,
      topK: request.topK,
      mode: modes[request.mode],
      filter,
      mmr: request.mmr ?? undefined,
    });
    const hits = result.hits.map((h) => ({ ...h, title: h.title ?? null, uri: h.uri ?? null }));
    if (key !== null) await deps.caches.setResult(key, { hits });
    queries.add(1, { outcome: 'searched' });
    const timings: Record<string, number> = { embed: embedMs, total: performance.now() - started };
    for (const [stage, ms] of Object.entries(result.timings)) if (typeof ms === 'number') timings[stage] = ms;
    timings.total = performance.now() - started;
    return { queryId: request.queryId, tenant: request.tenant, hits, timings, answer: null, error: null };
  }

  function errorReply(request: QueryRequest, code: string, message: string): QueryResponse {
    return { queryId: request.queryId, tenant: request.tenant, hits: [], timings: {}, answer: null, error: { code, message } };
  }

  type LogFields = Record<string, unknown>;

  function rejected(request: QueryRequest, error: unknown, fields: LogFields): QueryResponse {
    const code = (error as { code?: string }).code ?? 'INVALID_REQUEST';
    queries.add(1, { outcome: 'rejected' });
    logger.warn('query rejected', { ...fields, code, error: String(error) });
    return errorReply(request, error instanceof SyntaxError ? 'INVALID_FILTER' : code, (error as Error).message);
  }

  /** The reply to a request: hits, or an error a retry cannot cure, or UNAVAILABLE once retries are spent. */
  async function respond(request: QueryRequest, fields: LogFields): Promise<QueryResponse> {
    let filter: Filter | undefined;
    try {
      if (request.topK < 1 || request.topK > 100) throw new RetrieverError('INVALID_REQUEST', `topK must be 1-100, got ${request.topK}`);
      filter = request.filter ? parseFilter(JSON.parse(request.filter)) : undefined;
    } catch (error) {
      return rejected(request, error, fields);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await search(request, filter);
      } catch (error) {
        if (!isRetriable(error)) return rejected(request, error, fields);
        // Retried while the asker still waits; then it gets an error now rather than a 504 later.
        const delay = RETRY_DELAY_MS * attempt;
        const code = (error as { code?: string }).code;
        if (attempt >= RETRY_ATTEMPTS || request.deadline <= now() + delay) {
          queries.add(1, { outcome: 'failed' });
          logger.error('search failed', { ...fields, attempts: attempt, code, error: String(error) });
          return errorReply(request, 'UNAVAILABLE', `search failed: ${(error as Error).message}`);
        }
        logger.warn('search failed, retrying', { ...fields, attempt, code, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async function answer(message: WorkerMessage<QueryRequest>): Promise<void> {
    const request = message.event;
    const fields = { topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, queryId: request.queryId };
    if (request.deadline < now()) {
      queries.add(1, { outcome: 'expired' });
      logger.debug('request expired before it was read', fields);
      return;
    }
    const started = performance.now();
    const response = await respond(request, fields);
    await deps.publisher.publish({ replyTo: request.replyTo, response, traceContext: message.traceContext });
    latency.record((performance.now() - started) / 1000, { mode: request.mode });
  }

  // Queries are answered detached from the consumer: a slow search never holds up the fetch of
  // the requests behind it (head-of-line blocking made the tail of the request/reply hop ten
  // times the search's). A query's offset is resolved once it has started (and committed within
  // a second, see main.ts); a retriever that dies meanwhile leaves those askers to their deadline
  // (504), which is all a late reply could give.
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = deps.maxInFlight ?? 64;

  function start(message: WorkerMessage<QueryRequest>): void {
    const task: Promise<void> = answer(message)
      .catch((error: unknown) => {
        // Only the reply's publish can land here: the asker gets a 504 at its deadline.
        queries.add(1, { outcome: 'reply_failed' });
        logger.error('reply not published', { queryId: message.event.queryId, error: String(error) });
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  const handle: BatchHandler<QueryRequest> = async (messages) => {
    for (const message of messages) {
      const replyTopic = message.event.replyTo.topic;
      // A request no reply can be sent for is a poison message: thrown here, it goes to the DLQ.
      if (!deps.replyTopics.includes(replyTopic)) {
        throw new RetrieverError('REPLY_TOPIC_NOT_ALLOWED', `reply topic ${JSON.stringify(replyTopic)} is not one of ${deps.replyTopics.join(', ')}`);
      }
    }
    for (const message of messages) {
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      start(message);
    }
  };
  return {
    handle,
    /** Waits for every query in flight to be answered (shutdown: after the consumer stopped, before the producer closes). */
    drain: async () => {
      await Promise.allSettled([...inFlight]);
    },
    inFlightCount: () => inFlight.size,
  };
}
