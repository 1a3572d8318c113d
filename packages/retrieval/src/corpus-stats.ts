import type pg from 'pg';
import { tsLexemeQuery } from './ts-lexeme.js';
import { createTtlCache } from './ttl-cache.js';

export interface CorpusStatsOptions {
  /** How long df counts are reused; 10 min by default. */
  ttlMs?: number;
  /** How long a corpus entry (n, avgdl, sampled common terms) is reused; 10 min by default. */
  corpusTtlMs?: number;
  /** Most (tenant, model, term) df entries kept; 50,000 by default. */
  maxTerms?: number;
  /** Chunks sampled per tenant and model for the average length and common terms; 1,000 by default. */
  sampleSize?: number;
  /** A term in at least this many sampled chunks counts as common: its df is estimated; 5 by default. */
  commonInSample?: number;
  /** Exact df counts stop here (a safety net for unlucky samples); 5,000 by default. */
  exactDfLimit?: number;
  now?: () => number;
}

/** Chunk count, average length (distinct lexemes) and estimated df of common terms, per tenant and generation. */
export interface Corpus {
  n: number;
  avgdl: number;
  common: ReadonlyMap<string, number>;
}

/**
 * BM25 corpus statistics per tenant and index generation, counted by Postgres under row-level security and
 * cached in-process: df for `ttlMs`, the corpus entry (n, avgdl, sample) for `corpusTtlMs`
 * (10 min each; the corpus entry costs a count over the tenant's chunks, ~0.1 s at 100k chunks,
 * and an uncached df up to one heap visit per matching chunk, so on a hot path they are what
 * makes a query's tail). Cached counts may lag the corpus by up to the TTL: idf moves with the
 * logarithm of df, so rankings shift slightly after a large ingest but never return wrong rows,
 * and a hot tenant pays for counting once per TTL instead of once per query. Zero counts are not cached, so a new tenant's
 * or a new term's first chunks are found at once.
 *
 * An exact df costs one heap visit per chunk containing the term (row-level security needs the
 * row), which is what makes common terms expensive. So each corpus entry carries a sample of the
 * tenant's chunks in chunk-id order (ids are content hashes: as good as random): a term found in
 * `commonInSample` or more sampled chunks gets its df estimated from the sample (about ±45% at
 * the threshold, less above, while idf moves with the logarithm); rarer terms are counted exactly.
 */
export function createCorpusStats(options: CorpusStatsOptions = {}) {
  const ttlMs = options.ttlMs ?? 600_000;
  const sampleSize = options.sampleSize ?? 1_000;
  const commonInSample = options.commonInSample ?? 5;
  const exactDfLimit = options.exactDfLimit ?? 5_000;
  const corpora = createTtlCache<Corpus>({ maxEntries: 1_000, ttlMs: options.corpusTtlMs ?? 600_000, now: options.now });
  const frequencies = createTtlCache<number>({ maxEntries: options.maxTerms ?? 50_000, ttlMs, now: options.now });
  const keyOf = (...parts: string[]) => JSON.stringify(parts);

  /** The corpus of the tenant already set on `client`. */
  async function corpus(client: pg.ClientBase, query: { tenant: string; generation: number }): Promise<Corpus> {
    const key = keyOf(query.tenant, String(query.generation));
    const cached = corpora.get(key);
    if (cached) return cached;
    const { rows } = await client.query<{ n: number; sampled: number; avgdl: number; common: Record<string, number> }>(
      `WITH s AS MATERIALIZED (SELECT c.tsv FROM ragmesh.chunks c WHERE c.generation_id = $1 ORDER BY c.chunk_id LIMIT $2)
       SELECT (SELECT count(*) FROM ragmesh.chunks c WHERE c.generation_id = $1)::int AS n,
              (SELECT count(*) FROM s)::int AS sampled,
              (SELECT coalesce(avg(length(s.tsv)), 0) FROM s)::float8 AS avgdl,
              (SELECT coalesce(json_object_agg(x.lexeme, x.k), '{}') FROM (
                 SELECT l.lexeme, count(*) AS k FROM s, unnest(tsvector_to_array(s.tsv)) AS l(lexeme) GROUP BY l.lexeme HAVING count(*) >= $3
               ) x) AS common`,
      [query.generation, sampleSize, commonInSample],
    );
    const row = rows[0];
    const n = row?.n ?? 0;
    const scale = row && row.sampled > 0 ? n / row.sampled : 0;
    const common = new Map(Object.entries(row?.common ?? {}).map(([term, k]) => [term, Math.min(n, Math.round(k * scale))]));
    const value = { n, avgdl: row?.avgdl ?? 0, common };
    if (n > 0) corpora.set(key, value);
    return value;
  }

  /** Chunks containing each of `terms`, for the tenant already set on `client`. */
  async function documentFrequencies(client: pg.ClientBase, query: { tenant: string; generation: number; terms: readonly string[]; corpus: Corpus }): Promise<Map<string, number>> {
    const df = new Map<string, number>();
    const missing: string[] = [];
    for (const term of query.terms) {
      const known = query.corpus.common.get(term) ?? frequencies.get(keyOf(query.tenant, String(query.generation), term));
      if (known === undefined) missing.push(term);
      else df.set(term, known);
    }
    if (missing.length === 0) return df;
    // OFFSET 0 keeps the tsquery a column of its own, so each count gets it as a parameter the
    // GIN index can take (pulled up, the cast would be evaluated per row instead).
    const { rows } = await client.query<{ term: string; df: number }>(
      `SELECT t.term, (SELECT count(*) FROM (SELECT 1 FROM ragmesh.chunks c WHERE c.generation_id = $1 AND c.tsv @@ t.query LIMIT $3) m)::int AS df
       FROM (SELECT l AS term, ${tsLexemeQuery('l')} AS query FROM unnest($2::text[]) AS l OFFSET 0) t`,
      [query.generation, missing, exactDfLimit],
    );
    for (const row of rows) {
      df.set(row.term, row.df);
      if (row.df > 0) frequencies.set(keyOf(query.tenant, String(query.generation), row.term), row.df);
    }
    return df;
  }

  return { corpus, documentFrequencies };
}

export type CorpusStats = ReturnType<typeof createCorpusStats>;
