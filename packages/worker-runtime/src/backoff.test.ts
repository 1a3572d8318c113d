import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const options = { attempts: 5, initialMs: 100, maxMs: 1_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling per retry and jitters within its upper half', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
  });

  it('never exceeds maxMs', () => {
    expect(backoffDelay(20, options, () => 1)).toBe(1_000);
    expect(backoffDelay(20, options, () => 0)).toBe(500);
  });
});
