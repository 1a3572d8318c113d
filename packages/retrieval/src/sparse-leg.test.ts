import { describe, expect, it } from 'vitest';
import { bm25Idf, matchTerms, sparseSql } from './sparse-leg.js';

describe('bm25Idf', () => {
  it('is ln(1 + (N - df + 0.5) / (df + 0.5)), larger for rarer terms, never negative', () => {
    expect(bm25Idf(100, 1)).toBeCloseTo(Math.log(1 + 99.5 / 1.5), 12);
    expect(bm25Idf(100, 1)).toBeGreaterThan(bm25Idf(100, 10));
    expect(bm25Idf(100, 100)).toBeGreaterThan(0);
  });
});

describe('matchTerms', () => {
  const stats = [
    { term: 'the', df: 900 },
    { term: 'rare', df: 3 },
    { term: 'mid', df: 300 },
    { term: 'gone', df: 0 },
    { term: 'alsorare', df: 3 },
  ];

  it('takes terms rarest first, leaving out terms in more than half the chunks', () => {
    expect(matchTerms(stats, { n: 1000, maxCandidates: 100_000 })).toEqual(['alsorare', 'rare', 'mid']);
  });

  it('stops when the summed df would pass maxCandidates', () => {
    expect(matchTerms(stats, { n: 1000, maxCandidates: 100 })).toEqual(['alsorare', 'rare']);
  });

  it('always keeps the rarest present term, even when it is common', () => {
    expect(matchTerms([{ term: 'the', df: 900 }, { term: 'a', df: 950 }], { n: 1000, maxCandidates: 10 })).toEqual(['the']);
    expect(matchTerms([{ term: 'gone', df: 0 }], { n: 1000, maxCandidates: 10 })).toEqual([]);
  });
});

describe('sparseSql', () => {
  it('numbers its parameters after the filter and places the filter in the candidate query', () => {
    const sql = sparseSql({ filterSql: 'c.metadata ? $1::text', firstParam: 2 });
    expect(sql).toContain('unnest($2::text[], $3::float8[])');
    expect(sql).toContain('AND c.metadata ? $1::text');
    expect(sql).toContain('c.model_id = $5');
    expect(sql).toContain('length(m.tsv) / $6::float8');
    expect(sql).toMatch(/LIMIT \$7$/);
    expect(sql).toContain('unnest($4::text[])');
  });

  it('uses k1 1.2 and b 0.75', () => {
    expect(sparseSql({ filterSql: null, firstParam: 1 })).toContain(
      'sum(q.idf * cardinality(u.positions) * 2.2 / (cardinality(u.positions) + 1.2 * (0.25 + 0.75 * length(m.tsv) / $5::float8)))',
    );
  });
});
