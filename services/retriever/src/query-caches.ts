import { createHash } from 'node:crypto';
import type { QueryResponse } from '@ragmesh/contracts';
import type { Logger } from '@ragmesh/telemetry';
import { createFailSoft } from '@ragmesh/worker-runtime';
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
export function createQueryCaches(redis: Redis, options: { resultTtlSeconds: number; cacheQueryVectors: boolean; logger?: Logger }): QueryCaches {
  // Caches, not stores: while Redis is away a read is a miss and a write is dropped, so queries
  // are answered uncached rather than failed.
  const softly = createFailSoft({ logger: options.logger, message: 'redis unavailable, answering without the cache' });
  return {
    results: options.resultTtlSeconds > 0,
    async queryVector(model, text, embed) {
      if (!options.cacheQueryVectors) return embed();
      const key = `ragmesh:qvec:${model}:${sha256(text)}`;
      const cached = await softly(() => redis.getBuffer(key), null);
      if (cached) return new Float32Array(cached.buffer.slice(cached.byteOffset, cached.byteOffset + cached.byteLength));
      const vector = await embed();
      await softly(() => redis.set(key, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), 'EX', 24 * 3600), null);
      return vector;
    },
    async getResult(key) {
      const value = await softly(() => redis.get(key), null);
      return value ? (JSON.parse(value) as Pick<QueryResponse, 'hits'>) : null;
    },
    async setResult(key, value) {
      if (options.resultTtlSeconds > 0) await softly(() => redis.set(key, JSON.stringify(value), 'EX', options.resultTtlSeconds), null);
    },
  };
}
