import { describe, expect, it } from 'vitest';
import { mmr } from './mmr.js';

// Two near-duplicates of the query, and one vector that is less relevant but different.
const query = [1, 0, 0];
const candidates = [
  [1, 0.05, 0],
  [1, 0.06, 0],
  [0.7, 0, 0.7],
  [0, 1, 0],
];

describe('mmr', () => {
  it('is plain relevance order with lambda 1', () => {
    expect(mmr({ query, candidates, lambda: 1, k: 4 })).toEqual([0, 1, 2, 3]);
  });

  it('prefers a different candidate over a near-duplicate of one already picked', () => {
    expect(mmr({ query, candidates, lambda: 0.5, k: 3 })).toEqual([0, 2, 1]);
  });

  it('with lambda 0 picks the most relevant first, then the least similar to what was picked', () => {
    expect(mmr({ query, candidates, lambda: 0, k: 2 })).toEqual([0, 3]);
  });

  it('computes the textbook scores', () => {
    // After picking 0: candidate 1 scores 0.7*cos(q,1) - 0.3*cos(0,1); candidate 2 0.7*0.7071 - 0.3*0.7053.
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0) / Math.hypot(...a) / Math.hypot(...b);
    const score = (i: number) => 0.7 * cos(query, candidates[i]!) - 0.3 * cos(candidates[0]!, candidates[i]!);
    expect(score(1)).toBeGreaterThan(score(2));
    expect(mmr({ query, candidates, lambda: 0.7, k: 2 })).toEqual([0, 1]);
  });

  it('returns at most k and at most the number of candidates, and copes with zero vectors', () => {
    expect(mmr({ query, candidates, lambda: 0.5, k: 2 })).toHaveLength(2);
    expect(mmr({ query, candidates: [[0, 0, 0], [1, 0, 0]], lambda: 0.5, k: 10 })).toEqual([1, 0]);
    expect(mmr({ query, candidates: [], lambda: 0.5, k: 3 })).toEqual([]);
  });

  it('accepts Float32Array vectors', () => {
    expect(mmr({ query: Float32Array.from(query), candidates: candidates.map((c) => Float32Array.from(c)), lambda: 0.5, k: 2 })).toEqual([0, 2]);
  });
});
