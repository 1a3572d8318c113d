import type pg from 'pg';
import type { CorpusStats } from './corpus-stats.js';
import type { LegHit } from './dense-leg.js';
import { tsAnyLexemeQuery } from './ts-lexeme.js';

export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/** Query terms beyond this many (in text order) are ignored; a pasted page is not a query. */
export const MAX_QUERY_TERMS = 64;

/** BM25 inverse document frequency as in Lucene: never negative, even for terms in every chunk. */
export function bm25Idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * Which terms select candidates. Terms are taken rarest first while they occur in at most
 * half of the chunks and their summed df stays within `maxCandidates`; the rarest term present
 * is always taken. The others still score every candidate that contains them, so a chunk
 * matching only very common terms can be missed: that bounds the rows scored per query
 * (BM25 gives such terms little weight anyway).
 */
export function matchTerms(stats: { term: string; df: number }[], options: { n: number; maxCandidates: number }): string[] {
  const present = stats.filter((s) => s.df > 0).sort((a, b) => a.df - b.df || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  const chosen: string[] = [];
  let total = 0;
  for (const { term, df } of present) {
    if (chosen.length > 0 && (df > options.n / 2 || total + df > options.maxCandidates)) break;
    chosen.push(term);
    total += df;
  }
  return chosen;
}

/**
 * The SQL of the sparse leg. Parameters after the filter's: scored terms, their idf, matching
 * terms, model id, average length, limit. tf is the number of positions of a term in the
 * chunk's tsvector (ts_filter keeps only the query's lexemes, which setweight marked A; the
 * generated `tsv` carries no weights, i.e. D); document length is `length(tsv)`, the number of
 * distinct lexemes, which Postgres keeps in the tsvector header.
 */
export function sparseSql(options: { filterSql: string | null; firstParam: number }): string {
  const p = options.firstParam;
  const [terms, idfs, matching, model, avgdl, limit] = [p, p + 1, p + 2, p + 3, p + 4, p + 5].map((n) => `$${n}`);
  const norm = `${BM25_K1} * (${1 - BM25_B} + ${BM25_B} * length(m.tsv) / ${avgdl}::float8)`;
  return `WITH q AS MATERIALIZED (
  SELECT * FROM unnest(${terms}::text[], ${idfs}::float8[]) AS q(term, idf)
), matched AS (
  SELECT c.chunk_id, c.tsv
  FROM ragmesh.chunks c
  WHERE c.model_id = ${model}
    AND c.tsv @@ ${tsAnyLexemeQuery(`${matching}::text[]`)}${options.filterSql ? `\n    AND ${options.filterSql}` : ''}
)
SELECT m.chunk_id, s.score
FROM matched m
CROSS JOIN LATERAL (
  SELECT sum(q.idf * cardinality(u.positions) * ${BM25_K1 + 1} / (cardinality(u.positions) + ${norm}))::float8 AS score
  FROM unnest(ts_filter(setweight(m.tsv, 'A', ${terms}::text[]), '{a}')) AS u
  JOIN q ON q.term = u.lexeme
) s
ORDER BY s.score DESC, m.chunk_id
LIMIT ${limit}`;
}

export interface SparseLegQuery {
  tenant: string;
  modelId: string;
  text: string;
  fetch: number;
  filter: { sql: string; params: unknown[] } | null;
  stats: CorpusStats;
  maxCandidates: number;
}

/**
 * Chunks of the tenant (already set on `client`) that share a term with `text`, ranked by BM25
 * (k1 1.2, b 0.75) over Postgres full-text lexemes ('english' configuration, as `tsv`).
 */
export async function sparseLeg(client: pg.ClientBase, query: SparseLegQuery): Promise<LegHit[]> {
  const { rows } = await client.query<{ terms: string[] }>(
    `SELECT coalesce(array_agg(lexeme ORDER BY first), '{}') AS terms
     FROM (SELECT lexeme, positions[1] AS first FROM unnest(to_tsvector('english', $1)) ORDER BY positions[1] LIMIT ${MAX_QUERY_TERMS}) t`,
    [query.text],
  );
  const terms = rows[0]?.terms ?? [];
  if (terms.length === 0) return [];
  const stats = await query.stats.lookup(client, { tenant: query.tenant, modelId: query.modelId, terms });
  const scored = terms.map((term) => ({ term, df: stats.df.get(term) ?? 0 })).filter((t) => t.df > 0);
  const matching = matchTerms(scored, { n: stats.n, maxCandidates: query.maxCandidates });
  if (matching.length === 0) return [];
  const params = [...(query.filter?.params ?? [])];
  const sql = sparseSql({ filterSql: query.filter?.sql ?? null, firstParam: params.length + 1 });
  params.push(
    scored.map((t) => t.term),
    scored.map((t) => bm25Idf(stats.n, t.df)),
    matching,
    query.modelId,
    Math.max(stats.avgdl, 1),
    query.fetch,
  );
  const result = await client.query<{ chunk_id: string; score: number }>(sql, params);
  return result.rows.map((r) => ({ chunkId: r.chunk_id, score: r.score }));
}
