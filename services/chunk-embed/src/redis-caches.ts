import type { Logger } from '@ragmesh/telemetry';
import { createFailSoft } from '@ragmesh/worker-runtime';
import type { Redis } from 'ioredis';

/** Vectors by model and sha256 of the embedded text; a cached text is never embedded again. */
export interface EmbeddingCache {
  getMany(model: string, textHashes: string[]): Promise<(Float32Array | null)[]>;
  setMany(model: string, entries: { textHash: string; vector: Float32Array }[]): Promise<void>;
}

/** The content hash this worker last published per document, so unchanged re-sends are skipped. */
export interface PublishedHashes {
  getMany(model: string, keys: string[]): Promise<(string | null)[]>;
  setMany(model: string, entries: { key: string; hash: string }[]): Promise<void>;
}

/** What the published-hash cache answers while Redis is away: equal to no content hash. */
export const UNKNOWN = 'unknown: redis unavailable';

const toBuffer = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
// Copy into an aligned buffer: a Buffer slice may start at an offset Float32Array cannot use.
const toVector = (buffer: Buffer) => new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));

/**
 * Redis-backed caches; values expire after `ttlSeconds` (0 = never). Caches, not stores: while
 * Redis is away every read is a miss and every write is dropped, so documents are embedded
 * uncached instead of waiting (logged once a minute); they fill again once it is back.
 */
export function createRedisCaches(redis: Redis, options: { ttlSeconds: number; logger?: Logger }) {
  const softly = createFailSoft({ logger: options.logger, message: 'redis unavailable, working without the cache' });
  const set = (pipeline: ReturnType<Redis['pipeline']>, key: string, value: Buffer | string) =>
    options.ttlSeconds > 0 ? pipeline.set(key, value, 'EX', options.ttlSeconds) : pipeline.set(key, value);

  const embeddings: EmbeddingCache = {
    async getMany(model, textHashes) {
      if (textHashes.length === 0) return [];
      const values = await softly(() => redis.mgetBuffer(...textHashes.map((h) => `ragmesh:emb:${model}:${h}`)), textHashes.map(() => null));
      return values.map((v) => (v ? toVector(v) : null));
    },
    async setMany(model, entries) {
      if (entries.length === 0) return;
      const pipeline = redis.pipeline();
      for (const { textHash, vector } of entries) set(pipeline, `ragmesh:emb:${model}:${textHash}`, toBuffer(vector));
      await softly(() => pipeline.exec(), null);
    },
  };

  const published: PublishedHashes = {
    async getMany(model, keys) {
      if (keys.length === 0) return [];
      // Unknown is not "nothing in flight": without Redis no document is skipped (it is embedded
      // again, which the store absorbs), so "A indexed, B in flight, A again" never leaves B.
      return softly(() => redis.mget(...keys.map((k) => `ragmesh:doc-hash:${model}:${k}`)), keys.map(() => UNKNOWN));
    },
    async setMany(model, entries) {
      if (entries.length === 0) return;
      const pipeline = redis.pipeline();
      for (const { key, hash } of entries) set(pipeline, `ragmesh:doc-hash:${model}:${key}`, hash);
      await softly(() => pipeline.exec(), null);
    },
  };

  return { embeddings, published };
}
