import { describe, expect, it } from 'vitest';
import { matchTerms, sparseCandidatesSql } from './sparse-leg.js';

describe('matchTerms', () => {
  const stats = [
    { term: 'the', df: 900 },
    { term: 'rare', df: 3 },
    { term: 'mid', df: 300 },
    { term: 'gone', df: 0 },
    { term: 'alsorare', df: 3 },
  ];

  it('takes terms rarest first, leaving out terms in more than half the chunks', () => {
    expect(matchTerms(stats, { n: 1000, maxCandidates: 100_000 })).toEqual({ terms: ['alsorare', 'rare', 'mid'], operator: 'any' });
  });

  it('stops when the summed df would pass maxCandidates', () => {
    expect(matchTerms(stats, { n: 1000, maxCandidates: 100 })).toEqual({ terms: ['alsorare', 'rare'], operator: 'any' });
  });

  it('requires the two rarest terms together when even the rarest is too common', () => {
    expect(matchTerms([{ term: 'the', df: 900 }, { term: 'a', df: 950 }, { term: 'x', df: 990 }], { n: 1000, maxCandidates: 10 })).toEqual({ terms: ['the', 'a'], operator: 'all' });
    expect(matchTerms([{ term: 'the', df: 900 }], { n: 1000, maxCandidates: 10 })).toEqual({ terms: ['the'], operator: 'any' });
    expect(matchTerms([{ term: 'gone', df: 0 }], { n: 1000, maxCandidates: 10 })).toEqual({ terms: [], operator: 'any' });
  });
});

describe('sparseCandidatesSql', () => {
  it('numbers its parameters after the filter and joins the matching lexemes with the operator', () => {
    const sql = sparseCandidatesSql({ filterSql: 'c.metadata ? $1::text', firstParam: 2, operator: 'any' });
    expect(sql).toBe(`SELECT c.chunk_id, length(c.tsv) AS dl, ts_filter(setweight(c.tsv, 'A', $2::text[]), '{a}')::text AS hits
FROM ragmesh.chunks c
WHERE c.generation_id = $4
  AND c.tsv @@ (SELECT string_agg(chr(39) || replace(replace(l.lexeme, chr(92), repeat(chr(92), 2)), chr(39), repeat(chr(39), 2)) || chr(39), ' | ')::tsquery FROM unnest($3::text[]) AS l(lexeme))
  AND c.metadata ? $1::text
LIMIT $5`);
    expect(sparseCandidatesSql({ filterSql: null, firstParam: 1, operator: 'all' })).toContain("' & ')::tsquery FROM unnest($2::text[])");
  });
});
