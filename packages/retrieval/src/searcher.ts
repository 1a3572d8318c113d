import { withTenant } from '@ragmesh/store';
import type pg from 'pg';
import { compileFilter } from './compile-filter.js';
import { createCorpusStats, type CorpusStatsOptions } from './corpus-stats.js';
import { denseLeg, denseSettings, type LegHit } from './dense-leg.js';
import { hydrate } from './hydrate.js';
import { mmr } from './mmr.js';
import { reciprocalRankFusion } from './reciprocal-rank-fusion.js';
import { searchFailed } from './retrieval-error.js';
import { parseSearchRequest, type SearchRequest } from './search-request.js';
import { sparseLeg } from './sparse-leg.js';

export interface SearchHit {
  chunkId: string;
  documentId: string;
  title: string | null;
  uri: string | null;
  /** dense: cosine similarity; sparse: BM25; hybrid: reciprocal-rank-fusion score. */
  score: number;
  text: string;
  metadata: Record<string, string>;
}

/** Milliseconds spent per stage; a stage that did not run is absent. */
export interface SearchTimings {
  dense?: number;
  sparse?: number;
  fuse?: number;
  hydrate?: number;
  mmr?: number;
  total: number;
}

export interface SearchResult {
  hits: SearchHit[];
  timings: SearchTimings;
}

export interface SearcherOptions {
  pool: pg.Pool;
  /** statement_timeout of each search transaction; none by default. */
  statementTimeoutMs?: number;
  /** Corpus statistics (BM25 N, avgdl, df): cache TTL, exact-count limit, sample size. */
  stats?: CorpusStatsOptions;
  /** Most candidate rows the sparse leg reads and scores (see matchTerms); 1,000 by default. */
  maxSparseCandidates?: number;
  /** Tenants with at most this many chunks of the model are searched exactly, without the HNSW index; 2,000 by default. */
  exactScanBelow?: number;
  /**
   * hnsw.max_scan_tuples: how far an iterative scan walks before the leg answers exactly instead.
   * Lower it when the GIN indexes can serve filters (see README); pgvector's 20,000 by default.
   */
  hnswMaxScanTuples?: number;
  /**
   * The lowest hnsw.ef_search of a dense leg (40 by default; it grows with the rows fetched).
   * Higher finds more of the true nearest neighbours at more Postgres CPU per query.
   */
  minEfSearch?: number;
  /**
   * Hybrid: run the dense leg on a second pooled connection while the sparse leg runs (false by
   * default). Halves a hybrid search's latency when the database has idle cores, at the price of
   * a second transaction: ~1.5 ms more Postgres CPU per query at 100k chunks, which a busy
   * database pays in throughput. Each hybrid search then holds two connections for a moment.
   */
  parallelLegs?: boolean;
}

/** RRF constant of the original paper; larger k flattens the advantage of top ranks. */
const RRF_K = 60;

/** Rows each leg returns: hybrid legs fetch more than topK, so fusion has overlap to work with. */
export function legFetchSize(request: Pick<SearchRequest, 'mode' | 'topK' | 'mmr'>): number {
  const mmrFetch = request.mmr ? Math.max(request.topK, request.mmr.fetchK) : request.topK;
  return request.mode === 'hybrid' ? Math.max(50, 3 * request.topK, mmrFetch) : mmrFetch;
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 1000) / 1000;

/**
 * The retriever's search over Postgres: dense (HNSW), sparse (BM25 over full text) or hybrid
 * (both, fused by reciprocal rank), optionally diversified by MMR. Each leg runs in a
 * transaction with the tenant set transaction-locally, so row-level security scopes every
 * statement and a pooled connection never carries a tenant over. Hits are read by the last
 * statement: a document swapped by the indexer meanwhile shows one version, never both.
 */
export function createSearcher(options: SearcherOptions) {
  const stats = createCorpusStats(options.stats);
  const maxCandidates = options.maxSparseCandidates ?? 1_000;
  const exactScanBelow = options.exactScanBelow ?? 2_000;
  const parallelLegs = options.parallelLegs ?? false;

  /**
   * Everything the search's transaction needs set, sent with the tenant in one statement. JIT off:
   * a search is milliseconds of work, and a plan whose estimate passes jit_above_cost (the exact
   * dense fallback, a corpus count) would spend tens of milliseconds compiling it.
   */
  function transactionSettings(request: SearchRequest): Record<string, string> {
    const settings = { jit: 'off', ...(request.mode === 'sparse' ? {} : denseSettings(legFetchSize(request), { maxScanTuples: options.hnswMaxScanTuples, minEfSearch: options.minEfSearch })) };
    return options.statementTimeoutMs === undefined ? settings : { ...settings, statement_timeout: String(options.statementTimeoutMs) };
  }

  type CompiledFilter = { sql: string; params: unknown[] } | null;

  async function runDense(client: pg.PoolClient, request: SearchRequest & { queryVector: Float32Array | number[] }, filter: CompiledFilter): Promise<{ hits: LegHit[]; ms: number }> {
    const since = performance.now();
    const { n } = await stats.corpus(client, { tenant: request.tenant, generation: request.generation });
    const dense = await denseLeg(client, {
      model: request.model,
      generation: request.generation,
      vector: request.queryVector,
      fetch: legFetchSize(request),
      filter,
      exact: n <= exactScanBelow,
    });
    return { hits: dense.hits, ms: elapsed(since) };
  }

  /** `parallelDense`: the dense leg already running in a transaction of its own (hybrid). */
  async function run(client: pg.PoolClient, request: SearchRequest, context: { started: number; filter: CompiledFilter; parallelDense?: Promise<{ hits: LegHit[]; ms: number }> }): Promise<SearchResult> {
    const { started, filter } = context;
    const timings: Omit<SearchTimings, 'total'> = {};
    const fetch = legFetchSize(request);
    const legs: LegHit[][] = [];
    const queryVector = request.queryVector;
    if (request.mode !== 'sparse' && queryVector && !context.parallelDense) {
      const dense = await runDense(client, { ...request, queryVector }, filter);
      legs.push(dense.hits);
      timings.dense = dense.ms;
    }
    if (request.mode !== 'dense') {
      const since = performance.now();
      legs.push(await sparseLeg(client, { tenant: request.tenant, generation: request.generation, text: request.text, fetch, filter, stats, maxCandidates }));
      timings.sparse = elapsed(since);
    }
    if (context.parallelDense) {
      const dense = await context.parallelDense;
      legs.unshift(dense.hits);
      timings.dense = dense.ms;
    }
    let ranked = legs[0] ?? [];
    if (request.mode === 'hybrid') {
      const since = performance.now();
      ranked = reciprocalRankFusion(legs.map((leg) => leg.map((h) => h.chunkId)), { k: RRF_K }).map((f) => ({ chunkId: f.id, score: f.score }));
      timings.fuse = elapsed(since);
    }
    const candidates = ranked.slice(0, request.mmr ? Math.max(request.topK, request.mmr.fetchK) : request.topK);
    let since = performance.now();
    const rows = await hydrate(client, { generation: request.generation, ids: candidates.map((c) => c.chunkId), embeddings: request.mmr !== undefined });
    timings.hydrate = elapsed(since);
    // A chunk deleted by a commit between the legs and this read is dropped, not returned stale.
    let present = candidates.filter((c) => rows.has(c.chunkId));
    if (request.mmr && request.queryVector) {
      since = performance.now();
      const picked = mmr({
        query: request.queryVector,
        candidates: present.map((c) => rows.get(c.chunkId)?.embedding ?? []),
        lambda: request.mmr.lambda,
        k: request.topK,
      });
      present = picked.flatMap((i) => present[i] ?? []);
      timings.mmr = elapsed(since);
    }
    const hits = present.slice(0, request.topK).flatMap(({ chunkId, score }) => {
      const row = rows.get(chunkId);
      return row ? [{ chunkId, documentId: row.documentId, title: row.title, uri: row.uri, score, text: row.text, metadata: row.metadata }] : [];
    });
    return { hits, timings: { ...timings, total: elapsed(started) } };
  }

  return {
    /**
     * Runs one search for the request's tenant. Throws RetrievalError: INVALID_REQUEST or
     * INVALID_FILTER for a request that can never succeed, SEARCH_FAILED (retriable when the
     * database failure is transient) otherwise.
     */
    async search(input: SearchRequest): Promise<SearchResult> {
      const started = performance.now();
      const request = parseSearchRequest(input);
      const scope = { tenant: request.tenant, settings: transactionSettings(request) };
      const filterParams: unknown[] = [];
      const filter = request.filter ? { sql: compileFilter(request.filter, { params: filterParams }), params: filterParams } : null;
      try {
        // Hybrid: the dense leg runs on a second connection meanwhile. Its transaction never waits
        // for anything but its own statements, so two searches cannot hold each other's
        // connections; it is queued before the sparse one, so it never waits behind it either.
        const vector = request.queryVector;
        const parallelDense = request.mode === 'hybrid' && vector && parallelLegs ? withTenant(options.pool, scope, (client) => runDense(client, { ...request, queryVector: vector }, filter)) : undefined;
        parallelDense?.catch(() => undefined);
        return await withTenant(options.pool, scope, (client) => run(client, request, { started, filter, parallelDense }));
      } catch (error) {
        throw searchFailed(error);
      }
    },
  };
}

export type Searcher = ReturnType<typeof createSearcher>;
