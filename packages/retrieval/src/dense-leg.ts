import type pg from 'pg';
import pgvector from 'pgvector';

export interface LegHit {
  chunkId: string;
  score: number;
}

export interface DenseLegQuery {
  model: { id: string; dims: number };
  vector: Float32Array | number[];
  fetch: number;
  /** A compiled filter over `c` and its parameters (see compileFilter), or null. */
  filter: { sql: string; params: unknown[] } | null;
}

/** hnsw.ef_search for a result size; pgvector caps it at 1000. */
export function efSearchFor(fetch: number): number {
  return Math.min(1000, Math.max(40, 2 * fetch));
}

/**
 * The SQL of the dense leg. `dims` is the only value written into the text (a validated integer
 * type modifier: the expression must match the partial HNSW index `(embedding::vector(dims))`
 * of `model_id = <id>` that the index writer creates). The filter's parameters come first, so
 * its `$n` stay valid; the vector, model and limit follow.
 */
export function denseSql(options: { dims: number; filterSql: string | null; firstParam: number }): string {
  const { dims, filterSql, firstParam: p } = options;
  if (!Number.isInteger(dims) || dims < 1 || dims > 16000) throw new RangeError(`dims ${dims} out of range`);
  const distance = `c.embedding::vector(${dims}) <=> $${p}::vector(${dims})`;
  // relaxed_order iterative scans may return rows slightly out of order; the outer ORDER BY
  // re-sorts the materialized candidates by their exact distance (pgvector README).
  return `WITH nearest AS MATERIALIZED (
  SELECT c.chunk_id, ${distance} AS distance
  FROM ragmesh.chunks c
  WHERE c.model_id = $${p + 1}${filterSql ? `\n    AND ${filterSql}` : ''}
  ORDER BY ${distance}
  LIMIT $${p + 2}
)
SELECT chunk_id, distance FROM nearest ORDER BY distance, chunk_id`;
}

/**
 * Nearest chunks of the tenant (already set on `client`) by cosine distance, score 1 - distance.
 * Iterative index scans (pgvector >= 0.8) keep scanning the HNSW graph until `fetch` rows pass
 * the tenant and filter conditions, or hnsw.max_scan_tuples is reached.
 */
export async function denseLeg(client: pg.ClientBase, query: DenseLegQuery): Promise<LegHit[]> {
  await client.query("SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)", [
    String(efSearchFor(query.fetch)),
  ]);
  const params = [...(query.filter?.params ?? [])];
  const sql = denseSql({ dims: query.model.dims, filterSql: query.filter?.sql ?? null, firstParam: params.length + 1 });
  params.push(pgvector.toSql(Array.from(query.vector)), query.model.id, query.fetch);
  const { rows } = await client.query<{ chunk_id: string; distance: number }>(sql, params);
  return rows.map((r) => ({ chunkId: r.chunk_id, score: 1 - r.distance }));
}
