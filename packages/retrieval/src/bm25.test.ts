import { describe, expect, it } from 'vitest';
import { bm25Idf, bm25Score, termFrequencies } from './bm25.js';

describe('bm25Idf', () => {
  it('is ln(1 + (N - df + 0.5) / (df + 0.5)), larger for rarer terms, never negative', () => {
    expect(bm25Idf(100, 1)).toBeCloseTo(Math.log(1 + 99.5 / 1.5), 12);
    expect(bm25Idf(100, 1)).toBeGreaterThan(bm25Idf(100, 10));
    expect(bm25Idf(100, 100)).toBeGreaterThan(0);
  });
});

describe('termFrequencies', () => {
  it('counts positions per lexeme', () => {
    expect(termFrequencies("'cat':1A,2A,9A 'dog':3A")).toEqual(new Map([['cat', 3], ['dog', 1]]));
    expect(termFrequencies('')).toEqual(new Map());
    expect(termFrequencies("'nopos'")).toEqual(new Map([['nopos', 0]]));
  });

  it('undoes the quoting of Postgres output (text as printed by ts_filter(...)::text)', () => {
    expect(termFrequencies("'a\\\\b':2A 'it''s':1A 'o''''k':5A 'plain':7A 'x y':3A,4A '日本':6A")).toEqual(
      new Map([
        ['a\\b', 1],
        ["it's", 1],
        ["o''k", 1],
        ['plain', 1],
        ['x y', 2],
        ['日本', 1],
      ]),
    );
  });
});

describe('bm25Score', () => {
  const idf = new Map([['rare', 2], ['common', 0.5]]);

  it('sums idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)) over matched terms', () => {
    const score = bm25Score({ tf: new Map([['rare', 2], ['common', 1], ['other', 4]]), idf, dl: 10, avgdl: 5 });
    const norm = 1.2 * (0.25 + 0.75 * 2);
    expect(score).toBeCloseTo((2 * 2 * 2.2) / (2 + norm) + (0.5 * 1 * 2.2) / (1 + norm), 12);
  });

  it('prefers shorter chunks and saturates term frequency', () => {
    const at = (tf: number, dl: number) => bm25Score({ tf: new Map([['rare', tf]]), idf, dl, avgdl: 10 });
    expect(at(1, 5)).toBeGreaterThan(at(1, 20));
    expect(at(2, 10) - at(1, 10)).toBeGreaterThan(at(3, 10) - at(2, 10));
    expect(at(100, 10)).toBeLessThan(2 * 2.2);
  });
});
