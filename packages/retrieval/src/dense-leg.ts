import type pg from 'pg';
import { prepared } from '@ragmesh/store';
import pgvector from 'pgvector';

export interface LegHit {
  chunkId: string;
  score: number;
}

export interface DenseLegQuery {
  model: { id: string; dims: number };
  /** The index generation searched; its partial HNSW index is `WHERE generation_id = <id>`. */
  generation: number;
  vector: Float32Array | number[];
  fetch: number;
  /** A compiled filter over `c` and its parameters (see compileFilter), or null. */
  filter: { sql: string; params: unknown[] } | null;
  /** Scan every chunk of the tenant instead of the HNSW index (small tenants). */
  exact: boolean;
}

/** pgvector's default hnsw.ef_search, the floor unless the searcher is given another. */
export const DEFAULT_MIN_EF_SEARCH = 40;

/**
 * hnsw.ef_search for a result size: twice the rows fetched, at least `min`; pgvector caps it at
 * 1000. A higher `min` buys recall with Postgres CPU (see the README's retriever settings).
 */
export function efSearchFor(fetch: number, min = DEFAULT_MIN_EF_SEARCH): number {
  return Math.min(1000, Math.max(min, 2 * fetch));
}

/**
 * The transaction-local settings of an HNSW search for `fetch` rows: ef_search (at least
 * `minEfSearch`), relaxed-order iterative scan, and hnsw.max_scan_tuples when given (pgvector's
 * 20,000 otherwise). Pass them to `withTenant` with the tenant; `denseLeg` relies on them.
 */
export function denseSettings(fetch: number, options: { maxScanTuples?: number; minEfSearch?: number } = {}): Record<string, string> {
  const { maxScanTuples, minEfSearch } = options;
  const settings: Record<string, string> = { 'hnsw.ef_search': String(efSearchFor(fetch, minEfSearch)), 'hnsw.iterative_scan': 'relaxed_order' };
  if (maxScanTuples !== undefined) settings['hnsw.max_scan_tuples'] = String(maxScanTuples);
  return settings;
}

/** Rows the index form reads before re-sorting and keeping `fetch`. */
export function overfetch(fetch: number): number {
  return Math.max(fetch, Math.min(1000, 2 * fetch));
}

/**
 * The SQL of the dense leg. `dims` is the only value written into the text (a validated integer
 * type modifier: the expression must match the partial HNSW index `(embedding::vector(dims))`
 * of `generation_id = <id>` that the index writer creates). The filter's parameters come first, so
 * its `$n` stay valid; then the vector, the generation id, `fetch` and (index form only) the
 * overfetch limit.
 *
 * Index form: ORDER BY distance LIMIT overfetch, which the planner can answer with the HNSW
 * index (or, for a selective filter, by filtering first and sorting). relaxed_order iterative
 * scans return rows only roughly in order, so the outer query re-sorts the materialized rows by
 * exact distance (pgvector README) and keeps the first `fetch`; reading twice as many rows costs
 * little (ef_search already holds them) and repairs most of the disorder.
 * Exact form: the distance of every chunk of the tenant that passes the filter, materialized
 * first so that no index can answer the ORDER BY, then sorted.
 */
export function denseSql(options: { dims: number; filterSql: string | null; firstParam: number; exact?: boolean }): string {
  const { dims, filterSql, firstParam: p } = options;
  if (!Number.isInteger(dims) || dims < 1 || dims > 16000) throw new RangeError(`dims ${dims} out of range`);
  const distance = `c.embedding::vector(${dims}) <=> $${p}::vector(${dims})`;
  const where = `WHERE c.generation_id = $${p + 1}${filterSql ? `\n    AND ${filterSql}` : ''}`;
  if (options.exact) {
    return `WITH scored AS MATERIALIZED (
  SELECT c.chunk_id, ${distance} AS distance
  FROM ragmesh.chunks c
  ${where}
)
SELECT chunk_id, distance FROM scored ORDER BY distance, chunk_id LIMIT $${p + 2}`;
  }
  return `WITH nearest AS MATERIALIZED (
  SELECT c.chunk_id, ${distance} AS distance
  FROM ragmesh.chunks c
  ${where}
  ORDER BY ${distance}
  LIMIT $${p + 3}
)
SELECT chunk_id, distance FROM nearest ORDER BY distance, chunk_id LIMIT $${p + 2}`;
}

/**
 * Nearest chunks of the tenant (already set on `client`, with `denseSettings(fetch)`) by cosine
 * distance, score 1 - distance. With `exact` false, an HNSW iterative index scan (pgvector >= 0.8) keeps walking the graph
 * until `fetch` rows pass the tenant and filter conditions or hnsw.max_scan_tuples is reached.
 * When it still returns fewer than `fetch` rows the leg answers exactly instead: either fewer
 * rows match, or the graph could not reach them. The second happens for real: the index is
 * shared by every tenant of the model, and a cluster of identical vectors (the same boilerplate
 * chunk indexed many times, by any tenant) links mostly to itself, so a search that lands in it
 * and filters it out finds little else (measured with pgvector 0.8.0: 1,000 duplicates at the
 * query point left a 5,000-row tenant with zero results at any ef_search, iterative or not).
 */
export async function denseLeg(client: pg.ClientBase, query: DenseLegQuery): Promise<{ hits: LegHit[]; exact: boolean }> {
  const run = async (exact: boolean) => {
    const params = [...(query.filter?.params ?? [])];
    const sql = denseSql({ dims: query.model.dims, filterSql: query.filter?.sql ?? null, firstParam: params.length + 1, exact });
    params.push(pgvector.toSql(Array.from(query.vector)), query.generation, query.fetch);
    if (!exact) params.push(overfetch(query.fetch));
    const { rows } = await client.query<{ chunk_id: string; distance: number }>(query.filter ? { text: sql, values: params } : prepared(sql, params));
    return rows.map((r) => ({ chunkId: r.chunk_id, score: 1 - r.distance }));
  };
  if (!query.exact) {
    const hits = await run(false);
    if (hits.length >= query.fetch) return { hits, exact: false };
  }
  return { hits: await run(true), exact: true };
}
