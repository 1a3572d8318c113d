import type { Embedder, EmbedKind, ModelInfo } from './embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { l2Normalize } from './vector.js';

export interface HashEmbedderOptions {
  /** Vector length; 384 matches the local models so stores and indexes need no other shape. */
  dims?: number;
  /** Also hash adjacent word pairs (at half weight), so word order counts a little. Default true. */
  bigrams?: boolean;
  /**
   * CPU time burnt per text, in ms (busy, on the calling thread): stands in for a slow model in
   * tests of what a busy model does to a worker. 0 by default.
   */
  workMsPerText?: number;
}

const MAX_TOKENS = 8192;
const BIGRAM_WEIGHT = 0.5;
// Texts without a single word still get a unit vector, the same one for all of them.
const EMPTY_FEATURE = '\u0000';
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** Lowercased word tokens (runs of Unicode letters, marks and digits) of `text`. */
export function wordTokens(text: string): string[] {
  return text.normalize('NFC').toLowerCase().match(WORD) ?? [];
}

/** 32-bit FNV-1a over UTF-16 code units: a few ns per token, stable across runs and platforms. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's finalizer: decorrelates the sign bit from the bucket bits taken from the FNV hash. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function addFeature(vector: Float32Array, feature: string, weight: number): void {
  const hash = fnv1a(feature);
  const sign = fmix32(hash) & 1 ? -1 : 1;
  const index = hash % vector.length;
  vector[index] = vector[index]! + sign * weight;
}

/**
 * Deterministic feature-hashing embedder for tests and development: no model files, no network,
 * identical texts give identical vectors and texts sharing words score a positive cosine (up to
 * rare bucket collisions), while unrelated texts land near 0 thanks to the signed hashing.
 * It knows words, not meaning: never use it to judge retrieval quality.
 */
export function createHashEmbedder(options: HashEmbedderOptions = {}): Embedder {
  const dims = options.dims ?? 384;
  const bigrams = options.bigrams ?? true;
  if (!Number.isInteger(dims) || dims < 1) {
    throw new EmbeddingError('INVALID_CONFIG', `hash embedder dims must be a positive integer, got ${dims}`);
  }
  const model: ModelInfo = { id: `hash-${dims}`, version: '1', dims, maxTokens: MAX_TOKENS };

  const workMs = options.workMsPerText ?? 0;

  function embedOne(text: string): Float32Array {
    if (workMs > 0) {
      const until = performance.now() + workMs;
      while (performance.now() < until) {
        // spin: a model's forward pass holds the thread the same way
      }
    }
    const vector = new Float32Array(dims);
    const tokens = wordTokens(text).slice(0, MAX_TOKENS);
    if (tokens.length === 0) addFeature(vector, EMPTY_FEATURE, 1);
    tokens.forEach((token, i) => {
      addFeature(vector, token, 1);
      if (bigrams && i > 0) addFeature(vector, `${tokens[i - 1]} ${token}`, BIGRAM_WEIGHT);
    });
    return l2Normalize(vector);
  }

  return {
    model,
    embed: (texts: readonly string[], _kind: EmbedKind) => Promise.resolve(texts.map(embedOne)),
    countTokens: (text: string) => wordTokens(text).length,
    close: () => Promise.resolve(),
  };
}
