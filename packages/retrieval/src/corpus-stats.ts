import type pg from 'pg';
import { tsLexemeQuery } from './ts-lexeme.js';
import { createTtlCache } from './ttl-cache.js';

export interface TermStats {
  /** Chunks of the tenant and model. */
  n: number;
  /** Average chunk length in distinct lexemes (`length(tsv)`). */
  avgdl: number;
  /** Chunks containing each term. */
  df: Map<string, number>;
}

/**
 * BM25 corpus statistics per tenant and model, counted by Postgres (the GIN index on `tsv`
 * answers df) and cached in-process for `ttlMs` (default 30 s). A cached df may lag the corpus
 * by up to the TTL: rankings shift slightly after a large ingest, never return wrong rows,
 * and a hot tenant pays the counting cost once per TTL instead of once per query.
 */
export function createCorpusStats(options: { ttlMs?: number; maxTerms?: number; now?: () => number } = {}) {
  const ttlMs = options.ttlMs ?? 30_000;
  const corpora = createTtlCache<{ n: number; avgdl: number }>({ maxEntries: 1_000, ttlMs, now: options.now });
  const frequencies = createTtlCache<number>({ maxEntries: options.maxTerms ?? 50_000, ttlMs, now: options.now });
  const keyOf = (...parts: string[]) => JSON.stringify(parts);

  /** Chunk count and average length of the tenant already set on `client` (row-level security scopes the counts). */
  async function corpus(client: pg.ClientBase, query: { tenant: string; modelId: string }): Promise<{ n: number; avgdl: number }> {
    const key = keyOf(query.tenant, query.modelId);
    const cached = corpora.get(key);
    if (cached) return cached;
    const { rows } = await client.query<{ n: number; avgdl: number }>(
      'SELECT count(*)::int AS n, coalesce(avg(length(c.tsv)), 0)::float8 AS avgdl FROM ragmesh.chunks c WHERE c.model_id = $1',
      [query.modelId],
    );
    const value = { n: rows[0]?.n ?? 0, avgdl: rows[0]?.avgdl ?? 0 };
    corpora.set(key, value);
    return value;
  }

  /** Corpus statistics and the df of `terms`, for the tenant already set on `client`. */
  async function lookup(client: pg.ClientBase, query: { tenant: string; modelId: string; terms: readonly string[] }): Promise<TermStats> {
    const totals = await corpus(client, query);
    const df = new Map<string, number>();
    const missing: string[] = [];
    for (const term of query.terms) {
      const cached = frequencies.get(keyOf(query.tenant, query.modelId, term));
      if (cached === undefined) missing.push(term);
      else df.set(term, cached);
    }
    if (missing.length > 0) {
      const { rows } = await client.query<{ term: string; df: number }>(
        `SELECT t.term, (SELECT count(*) FROM ragmesh.chunks c WHERE c.model_id = $1 AND c.tsv @@ ${tsLexemeQuery('t.term')})::int AS df
         FROM unnest($2::text[]) AS t(term)`,
        [query.modelId, missing],
      );
      for (const row of rows) {
        df.set(row.term, row.df);
        frequencies.set(keyOf(query.tenant, query.modelId, row.term), row.df);
      }
    }
    return { ...totals, df };
  }

  return { corpus, lookup };
}

export type CorpusStats = ReturnType<typeof createCorpusStats>;
