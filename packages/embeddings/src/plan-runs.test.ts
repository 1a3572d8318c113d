import { describe, expect, it } from 'vitest';
import { planRuns } from './local-embedder.js';

describe('planRuns', () => {
  const lengths = [4, 4, 6, 10, 10, 10, 300];
  const order = lengths.map((_, i) => i);
  const lengthOf = (i: number) => lengths[i]!;

  it('cuts at batchSize when the token budget is not reached', () => {
    expect(planRuns(order, lengthOf, { batchSize: 3, maxTokens: 10_000 })).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('cuts when texts x the longest would pass the budget, and runs an over-long text alone', () => {
    // [4,4,6] = 3 x 6 = 18 <= 20; adding 10 would be 4 x 10 = 40; [10,10] = 20; 300 alone.
    expect(planRuns(order, lengthOf, { batchSize: 32, maxTokens: 20 })).toEqual([[0, 1, 2], [3, 4], [5], [6]]);
  });

  it('keeps every index exactly once and plans nothing for no texts', () => {
    const runs = planRuns(order, lengthOf, { batchSize: 2, maxTokens: 25 });
    expect(runs.flat()).toEqual(order);
    expect(planRuns([], lengthOf, { batchSize: 2, maxTokens: 25 })).toEqual([]);
  });
});
