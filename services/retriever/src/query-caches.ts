import { createHash } from 'node:crypto';
import type { QueryResponse } from '@ragmesh/contracts';
import type { Redis } from 'ioredis';

export interface QueryCaches {
  /** False when results are not cached (TTL 0): the retriever then skips the lookup and its corpus version read. */
  readonly results: boolean;
  /** A query vector, cached by model and sha256 of the text (or computed each time when vectors are not cached). */
  queryVector(model: string, text: string, embed: () => Promise<Float32Array>): Promise<Float32Array>;
  getResult(key: string): Promise<Pick<QueryResponse, 'hits'> | null>;
  setResult(key: string, value: Pick<QueryResponse, 'hits'>): Promise<void>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The result cache key: tenant + that tenant's corpus version + the normalized request. The
 * indexer bumps the corpus version in the same transaction as every change, so a cached result
 * can never outlive the corpus it was computed from.
 */
export function resultKey(parts: { tenant: string; corpusVersion: string; model: string; request: object }): string {
  return `ragmesh:result:${parts.tenant}:${parts.corpusVersion}:${sha256(`${parts.model}\u0000${JSON.stringify(parts.request)}`)}`;
}

/**
 * Redis-backed query caches. `cacheQueryVectors` false: vectors are computed every time, for an
 * embedder cheaper than a Redis round trip (the `hash` provider).
 */
export function createQueryCaches(redis: Redis, options: { resultTtlSeconds: number; cacheQueryVectors: boolean }): QueryCaches {
  return {
    results: options.resultTtlSeconds > 0,
    async queryVector(model, text, embed) {
      if (!options.cacheQueryVectors) return embed();
      const key = `ragmesh:qvec:${model}:${sha256(text)}`;
      const cached = await redis.getBuffer(key);
      if (cached) return new Float32Array(cached.buffer.slice(cached.byteOffset, cached.byteOffset + cached.byteLength));
      const vector = await embed();
      await redis.set(key, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), 'EX', 24 * 3600);
      return vector;
    },
    async getResult(key) {
      const value = await redis.get(key);
      return value ? (JSON.parse(value) as Pick<QueryResponse, 'hits'>) : null;
    },
    async setResult(key, value) {
      if (options.resultTtlSeconds > 0) await redis.set(key, JSON.stringify(value), 'EX', options.resultTtlSeconds);
    },
  };
}
