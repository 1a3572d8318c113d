import { describe, expect, it } from 'vitest';
import { denseSettings, denseSql, efSearchFor } from './dense-leg.js';

describe('denseSql', () => {
  it('orders by the same cast expression as the partial HNSW index and re-sorts outside', () => {
    expect(denseSql({ dims: 4, filterSql: 'c.metadata ? $1::text', firstParam: 2 })).toBe(`WITH nearest AS MATERIALIZED (
  SELECT c.chunk_id, c.embedding::vector(4) <=> $2::vector(4) AS distance
  FROM ragmesh.chunks c
  WHERE c.generation_id = $3
    AND c.metadata ? $1::text
  ORDER BY c.embedding::vector(4) <=> $2::vector(4)
  LIMIT $5
)
SELECT chunk_id, distance FROM nearest ORDER BY distance, chunk_id LIMIT $4`);
  });

  it('scores every chunk first and sorts outside when exact, so no index can answer it', () => {
    expect(denseSql({ dims: 384, filterSql: null, firstParam: 1, exact: true })).toBe(`WITH scored AS MATERIALIZED (
  SELECT c.chunk_id, c.embedding::vector(384) <=> $1::vector(384) AS distance
  FROM ragmesh.chunks c
  WHERE c.generation_id = $2
)
SELECT chunk_id, distance FROM scored ORDER BY distance, chunk_id LIMIT $3`);
  });

  it('refuses dims that are not an integer in 1..16000', () => {
    for (const dims of [0, -1, 1.5, 16001, Number.NaN]) expect(() => denseSql({ dims, filterSql: null, firstParam: 1 })).toThrow(RangeError);
  });
});

describe('efSearchFor', () => {
  it('is twice the fetch size, at least 40 and at most 1000', () => {
    expect(efSearchFor(5)).toBe(40);
    expect(efSearchFor(150)).toBe(300);
    expect(efSearchFor(900)).toBe(1000);
  });
  it('takes a higher floor when given one, still capped at 1000', () => {
    expect(efSearchFor(5, 300)).toBe(300);
    expect(efSearchFor(200, 300)).toBe(400);
    expect(efSearchFor(900, 300)).toBe(1000);
  });
});

describe('denseSettings', () => {
  it('sets ef_search from the fetch size and the floor, iterative scan, and max_scan_tuples only when given', () => {
    expect(denseSettings(10)).toEqual({ 'hnsw.ef_search': '40', 'hnsw.iterative_scan': 'relaxed_order' });
    expect(denseSettings(10, { minEfSearch: 300, maxScanTuples: 5000 })).toEqual({ 'hnsw.ef_search': '300', 'hnsw.iterative_scan': 'relaxed_order', 'hnsw.max_scan_tuples': '5000' });
  });
});
