import { describe, expect, it } from 'vitest';
import { RetrievalError } from './retrieval-error.js';
import { parseSearchRequest, type SearchRequest } from './search-request.js';
import { legFetchSize } from './searcher.js';

const valid: SearchRequest = { tenant: 't1', model: { id: 'test-4d', dims: 4 }, generation: 1, queryVector: [1, 0, 0, 0], text: 'hello', topK: 5, mode: 'hybrid' };

function rejection(request: unknown): RetrievalError {
  try {
    parseSearchRequest(request);
  } catch (error) {
    if (error instanceof RetrievalError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseSearchRequest', () => {
  it('accepts a valid request, with a Float32Array or an array', () => {
    expect(parseSearchRequest(valid)).toEqual(valid);
    expect(parseSearchRequest({ ...valid, queryVector: new Float32Array(4) }).queryVector).toBeInstanceOf(Float32Array);
    expect(parseSearchRequest({ ...valid, mode: 'sparse', queryVector: null }).queryVector).toBeNull();
  });

  it('rejects a missing tenant, bad topK, model and vector with INVALID_REQUEST', () => {
    const cases: [Partial<Record<keyof SearchRequest, unknown>>, RegExp][] = [
      [{ tenant: '' }, /request.tenant: a tenant is required/],
      [{ topK: 0 }, /request.topK/],
      [{ topK: 101 }, /request.topK/],
      [{ topK: 2.5 }, /request.topK/],
      [{ mode: 'fuzzy' }, /request.mode/],
      [{ model: { id: "x'; --", dims: 4 } }, /request.model.id: model id must match/],
      [{ model: { id: 'm', dims: 16001 } }, /request.model.dims/],
      [{ queryVector: [1, 0, 0] }, /request.queryVector: has 3 dimensions, model test-4d has 4/],
      [{ queryVector: [1, 0, Number.NaN, 0] }, /request.queryVector/],
      [{ queryVector: Float32Array.from([1, 0, Number.POSITIVE_INFINITY, 0]) }, /request.queryVector: must hold finite numbers only/],
      [{ queryVector: null }, /request.queryVector: mode hybrid needs a query vector/],
      [{ mode: 'sparse', queryVector: null, mmr: { lambda: 0.5, fetchK: 20 } }, /mmr needs a query vector/],
      [{ mmr: { lambda: 1.5, fetchK: 20 } }, /request.mmr.lambda/],
      [{ mmr: { lambda: 0.5, fetchK: 501 } }, /request.mmr.fetchK/],
      [{ text: 'a\u0000b' }, /request.text: must not contain NUL/],
    ];
    for (const [patch, message] of cases) {
      const error = rejection({ ...valid, ...patch });
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toMatch(message);
    }
  });

  it('reports a bad filter as INVALID_FILTER', () => {
    const error = rejection({ ...valid, filter: { eq: { field: 'a b', value: 1 } } });
    expect(error.code).toBe('INVALID_FILTER');
    expect(error.message).toMatch(/request.filter.eq.field: field must match/);
  });
});

describe('legFetchSize', () => {
  it('fetches topK for a single leg, more for hybrid, and fetchK for MMR', () => {
    expect(legFetchSize({ mode: 'dense', topK: 7 })).toBe(7);
    expect(legFetchSize({ mode: 'hybrid', topK: 7 })).toBe(50);
    expect(legFetchSize({ mode: 'hybrid', topK: 40 })).toBe(120);
    expect(legFetchSize({ mode: 'sparse', topK: 7, mmr: { lambda: 0.5, fetchK: 30 } })).toBe(30);
    expect(legFetchSize({ mode: 'dense', topK: 7, mmr: { lambda: 0.5, fetchK: 3 } })).toBe(7);
    expect(legFetchSize({ mode: 'hybrid', topK: 10, mmr: { lambda: 0.5, fetchK: 200 } })).toBe(200);
  });
});
