import { describe, expect, it } from 'vitest';
import { createTtlCache } from './ttl-cache.js';

describe('createTtlCache', () => {
  it('returns a value until its ttl has passed', () => {
    let time = 1000;
    const cache = createTtlCache<number>({ maxEntries: 10, ttlMs: 30, now: () => time });
    cache.set('a', 1);
    time = 1029;
    expect(cache.get('a')).toBe(1);
    time = 1030;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = createTtlCache<string>({ maxEntries: 2, ttlMs: 1000 });
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.get('a')).toBe('A');
    cache.set('c', 'C');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
  });

  it('refreshes the expiry of a key set again', () => {
    let time = 0;
    const cache = createTtlCache<number>({ maxEntries: 2, ttlMs: 10, now: () => time });
    cache.set('a', 1);
    time = 8;
    cache.set('a', 2);
    time = 15;
    expect(cache.get('a')).toBe(2);
  });
});
