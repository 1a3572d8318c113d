import { describe, expect, it } from 'vitest';
import { parseFilter, type Filter } from './filter-schema.js';
import { RetrievalError } from './retrieval-error.js';

function rejection(json: unknown): RetrievalError {
  try {
    parseFilter(json);
  } catch (error) {
    if (error instanceof RetrievalError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(json)}`);
}

function nested(depth: number): unknown {
  let filter: unknown = { exists: { field: 'a' } };
  for (let i = 1; i < depth; i++) filter = { not: filter };
  return filter;
}

describe('parseFilter', () => {
  it('accepts every operator and returns the filter unchanged', () => {
    const filters: Filter[] = [
      { eq: { field: 'lang', value: 'en' } },
      { eq: { field: 'year', value: 2024 } },
      { eq: { field: 'draft', value: false } },
      { in: { field: 'lang', values: ['en', 'de', 3, true] } },
      { range: { field: 'year', gte: 2000, lt: 2025.5 } },
      { range: { field: 'date', gt: '2024-01-01' } },
      { exists: { field: 'author.name' } },
      { and: [{ eq: { field: 'a', value: 'x' } }, { not: { exists: { field: 'b' } } }] },
      { or: [{ eq: { field: 'documentId', value: 'doc-1' } }, { in: { field: 'documentId', values: ['doc-2'] } }] },
    ];
    for (const filter of filters) expect(parseFilter(JSON.parse(JSON.stringify(filter)))).toEqual(filter);
  });

  it('accepts nesting up to 8 levels and rejects a 9th, even for a very deep input', () => {
    expect(() => parseFilter(nested(8))).not.toThrow();
    expect(rejection(nested(9)).message).toBe('invalid filter: filter.not.not.not.not.not.not.not.not: filters nest at most 8 levels');
    expect(rejection(nested(50_000)).code).toBe('INVALID_FILTER');
  });

  it('rejects more than 64 nodes', () => {
    const leaves = (n: number) => Array.from({ length: n }, () => ({ exists: { field: 'a' } }));
    expect(() => parseFilter({ or: leaves(63) })).not.toThrow();
    expect(rejection({ or: leaves(64) }).message).toBe('invalid filter: filter: filters have at most 64 nodes, got 65');
    expect(rejection({ and: [{ or: leaves(40) }, { or: leaves(40) }] }).message).toMatch(/at most 64 nodes, got 83/);
  });

  it('names the path and the problem', () => {
    expect(rejection({ and: [{ eq: { field: 'a', value: 1 } }, { or: [{ exists: { field: 'b c' } }] }] }).message).toBe(
      'invalid filter: filter.and[1].or[0].exists.field: field must match ^[A-Za-z0-9_.-]{1,64}$',
    );
    expect(rejection({ eq: { field: 'a', value: { $gt: 1 } } }).message).toBe('invalid filter: filter.eq.value: value must be a string, a finite number or a boolean');
    expect(rejection({ eq: { field: 'a', value: 'x' }, exists: { field: 'a' } }).message).toMatch(/^invalid filter: filter: a filter node has exactly one operator/);
    expect(rejection({}).message).toMatch(/^invalid filter: filter: a filter node has exactly one operator/);
    expect(rejection({ match: { field: 'a' } }).message).toMatch(/filter: Unrecognized key: "match"/);
    expect(rejection({ eq: { field: 'a', value: 1, op: '>' } }).message).toMatch(/filter.eq: Unrecognized key: "op"/);
    expect(rejection('lang = en').message).toBe('invalid filter: filter: a filter node must be an object');
    expect(rejection(null).message).toBe('invalid filter: filter: a filter node must be an object');
    expect(rejection({ range: { field: 'a' } }).message).toBe('invalid filter: filter.range: range needs at least one of gte, gt, lte, lt');
    expect(rejection({ range: { field: 'a', gte: 1, lt: 'z' } }).message).toBe('invalid filter: filter.range: range bounds must be all numbers or all strings');
    expect(rejection({ range: { field: 'a', gte: true } }).message).toBe('invalid filter: filter.range.gte: bound must be a string or a finite number');
    expect(rejection({ in: { field: 'a', values: [] } }).message).toMatch(/filter.in.values: Too small/);
    expect(rejection({ in: { field: 'a', values: Array.from({ length: 101 }, (_, i) => i) } }).message).toMatch(/filter.in.values: Too big/);
    expect(rejection({ and: [] }).message).toMatch(/filter.and: Too small/);
    expect(rejection({ eq: { field: 'a', value: Number.NaN } }).code).toBe('INVALID_FILTER');
    expect(rejection({ eq: { field: 'a', value: Number.POSITIVE_INFINITY } }).code).toBe('INVALID_FILTER');
    expect(rejection({ eq: { field: 'a', value: 'x'.repeat(1025) } }).message).toBe('invalid filter: filter.eq.value: strings are limited to 1024 characters');
    expect(rejection({ eq: { field: 'a', value: 'a\u0000b' } }).message).toBe('invalid filter: filter.eq.value: strings must not contain NUL characters');
  });

  it('rejects field names that are not plain keys: quotes, comments, JSON operators, SQL, unicode', () => {
    const fields = [
      "lang'",
      'lang"',
      'a -- comment',
      "'; DROP TABLE ragmesh.chunks; --",
      'a->b',
      "a->>'b'",
      'a#>b',
      'a#>>{b}',
      'a?|b',
      'a?&b',
      'a?b',
      'a@>b',
      '(a)',
      'a;b',
      'a b',
      'a/*b*/',
      'a$1',
      'a\\b',
      'a\nb',
      'ａ',
      'café',
      'a\u200bb',
      'a\u0000',
      '',
      'x'.repeat(65),
    ];
    for (const field of fields) {
      for (const filter of [{ eq: { field, value: 'x' } }, { exists: { field } }, { range: { field, gte: 1 } }, { in: { field, values: ['x'] } }]) {
        const error = rejection(filter);
        expect(error.code).toBe('INVALID_FILTER');
        expect(error.message).toMatch(/field must match/);
      }
    }
    // Hyphens and dots are allowed: `a--b` is a key like any other (it travels as a parameter).
    expect(() => parseFilter({ exists: { field: 'A-z_0.9--' } })).not.toThrow();
    expect(() => parseFilter({ exists: { field: 'x'.repeat(64) } })).not.toThrow();
  });
});
