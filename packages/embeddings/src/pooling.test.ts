import { describe, expect, it } from 'vitest';
import { createLimiter } from './limiter.js';
import { poolHiddenStates } from './pooling.js';

// Two texts, three positions, two dims; the second text has one padding position whose
// (huge) vector must not leak into its mean.
const hidden = Float32Array.from([
  [3, 4], [1, 0], [0, 1],
  [0, 2], [2, 0], [99, 99],
].flat());
const mask = Uint8Array.from([1, 1, 1, 1, 1, 0]);

describe('poolHiddenStates', () => {
  it('mean-pools only unmasked tokens and L2-normalizes', () => {
    const [a, b] = poolHiddenStates({ hidden, mask, batch: 2, seqLen: 3, dims: 2, pooling: 'mean' });
    // mean of (3,4),(1,0),(0,1) = (4/3, 5/3); of (0,2),(2,0) = (1,1)
    expect(Array.from(a!)).toEqual([Math.fround(4 / Math.hypot(4, 5)), Math.fround(5 / Math.hypot(4, 5))]);
    expect(Array.from(b!)).toEqual([Math.fround(Math.SQRT1_2), Math.fround(Math.SQRT1_2)]);
  });

  it('CLS-pools the first position', () => {
    const [a, b] = poolHiddenStates({ hidden, mask, batch: 2, seqLen: 3, dims: 2, pooling: 'cls' });
    expect(Array.from(a!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(b!)).toEqual([0, 1]);
  });
});

describe('createLimiter', () => {
  it('runs at most n tasks at once and all of them eventually', async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    const task = async (i: number) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      if (i === 3) throw new Error('boom');
      return i;
    };
    const results = await Promise.allSettled(Array.from({ length: 7 }, (_, i) => limit(() => task(i))));
    expect(peak).toBe(2);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed'))).toEqual([0, 1, 2, 'failed', 4, 5, 6]);
  });
});
