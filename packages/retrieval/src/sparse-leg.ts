import { prepared } from '@ragmesh/store';
import type pg from 'pg';
import { bm25Idf, bm25Score, termFrequencies } from './bm25.js';
import type { CorpusStats } from './corpus-stats.js';
import type { LegHit } from './dense-leg.js';
import { tsLexemesQuery } from './ts-lexeme.js';

/** Query terms beyond this many (in text order) are ignored; a pasted page is not a query. */
export const MAX_QUERY_TERMS = 64;

export interface MatchPlan {
  terms: string[];
  /** `any`: chunks containing one of the terms; `all`: chunks containing every one. */
  operator: 'any' | 'all';
}

/** Plain code-unit order: the stable tie-break of both sorts below. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byDf = (a: { term: string; df: number }, b: { term: string; df: number }) => a.df - b.df || byText(a.term, b.term);

/**
 * Which terms select the candidates that BM25 then scores. Terms are taken rarest first while
 * each occurs in at most half of the chunks and their summed df stays within `maxCandidates`;
 * the other terms still score every candidate that contains them. When even the rarest term is
 * too common, candidates must contain the two rarest terms together. A chunk matching only
 * common terms can therefore be missed: that is the price of a bounded number of rows read
 * per query (BM25 gives such terms little weight anyway).
 */
export function matchTerms(stats: { term: string; df: number }[], options: { n: number; maxCandidates: number }): MatchPlan {
  const present = stats.filter((s) => s.df > 0).sort(byDf);
  const chosen: string[] = [];
  let total = 0;
  for (const { term, df } of present) {
    if (df > options.n / 2 || total + df > options.maxCandidates) break;
    chosen.push(term);
    total += df;
  }
  if (chosen.length > 0) return { terms: chosen, operator: 'any' };
  return { terms: present.slice(0, 2).map((s) => s.term), operator: present.length > 1 ? 'all' : 'any' };
}

/**
 * The SQL of the sparse leg's candidates. Parameters after the filter's: scored terms, matching
 * terms, generation id, row limit. For each candidate it returns the length (`length(tsv)`, distinct
 * lexemes, kept in the tsvector header) and the query's lexemes with their positions:
 * setweight marks them A (the generated `tsv` carries no weights) and ts_filter keeps only
 * those, so the row is small and BM25 is computed by the caller.
 */
export function sparseCandidatesSql(options: { filterSql: string | null; firstParam: number; operator: MatchPlan['operator'] }): string {
  const p = options.firstParam;
  return `SELECT c.chunk_id, length(c.tsv) AS dl, ts_filter(setweight(c.tsv, 'A', $${p}::text[]), '{a}')::text AS hits
FROM ragmesh.chunks c
WHERE c.generation_id = $${p + 2}
  AND c.tsv @@ ${tsLexemesQuery(`$${p + 1}::text[]`, options.operator === 'all' ? '&' : '|')}${options.filterSql ? `\n  AND ${options.filterSql}` : ''}
LIMIT $${p + 3}`;
}

export interface SparseLegQuery {
  tenant: string;
  generation: number;
  text: string;
  fetch: number;
  filter: { sql: string; params: unknown[] } | null;
  stats: CorpusStats;
  /** Most candidate rows read and scored (see matchTerms). */
  maxCandidates: number;
}

/**
 * Chunks of the tenant (already set on `client`) that share a term with `text`, ranked by BM25
 * (k1 1.2, b 0.75) over the store's generated full-text vector `tsv` ('english' lexemes of the
 * title and text): tf is the number of positions of a term in the chunk, document length its
 * number of distinct lexemes. Ties go to the smaller chunk id.
 */
export async function sparseLeg(client: pg.ClientBase, query: SparseLegQuery): Promise<LegHit[]> {
  const { rows } = await client.query<{ terms: string[] }>(
    prepared(
      `SELECT coalesce(array_agg(lexeme ORDER BY first), '{}') AS terms
       FROM (SELECT lexeme, positions[1] AS first FROM unnest(to_tsvector('english', $1)) ORDER BY positions[1] LIMIT ${MAX_QUERY_TERMS}) t`,
      [query.text],
    ),
  );
  const terms = rows[0]?.terms ?? [];
  if (terms.length === 0) return [];
  const corpus = await query.stats.corpus(client, { tenant: query.tenant, generation: query.generation });
  const { n, avgdl } = corpus;
  if (n === 0) return [];
  const df = await query.stats.documentFrequencies(client, { tenant: query.tenant, generation: query.generation, terms, corpus });
  const present = terms.map((term) => ({ term, df: df.get(term) ?? 0 })).filter((t) => t.df > 0);
  const plan = matchTerms(present, { n, maxCandidates: query.maxCandidates });
  if (plan.terms.length === 0) return [];
  const params = [...(query.filter?.params ?? [])];
  const sql = sparseCandidatesSql({ filterSql: query.filter?.sql ?? null, firstParam: params.length + 1, operator: plan.operator });
  params.push(
    present.map((t) => t.term),
    plan.terms,
    query.generation,
    query.maxCandidates,
  );
  const candidates = await client.query<{ chunk_id: string; dl: number; hits: string }>(query.filter ? { text: sql, values: params } : prepared(sql, params));
  const idf = new Map(present.map((t) => [t.term, bm25Idf(n, t.df)]));
  return candidates.rows
    .map((r) => ({ chunkId: r.chunk_id, score: bm25Score({ tf: termFrequencies(r.hits), idf, dl: r.dl, avgdl: Math.max(avgdl, 1) }) }))
    .sort((a, b) => b.score - a.score || byText(a.chunkId, b.chunkId))
    .slice(0, query.fetch);
}
