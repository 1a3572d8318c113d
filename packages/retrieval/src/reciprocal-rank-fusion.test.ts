import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from './reciprocal-rank-fusion.js';

describe('reciprocalRankFusion', () => {
  it('sums 1 / (k + rank) over the lists an id appears in', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['c', 'a', 'd'],
    ]);
    expect(fused.map((f) => f.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0]?.score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[1]?.score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(fused[2]?.score).toBeCloseTo(1 / 62, 12);
    expect(fused[3]?.score).toBeCloseTo(1 / 63, 12);
  });

  it('breaks ties by the better single rank, then by id', () => {
    expect(reciprocalRankFusion([['x', 'y'], ['y', 'x']]).map((f) => f.id)).toEqual(['x', 'y']);
    expect(reciprocalRankFusion([['b', 'z'], ['a']]).map((f) => f.id)).toEqual(['a', 'b', 'z']);
  });

  it('uses the given k', () => {
    expect(reciprocalRankFusion([['a']], { k: 0 })[0]?.score).toBe(1);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
  });
});
