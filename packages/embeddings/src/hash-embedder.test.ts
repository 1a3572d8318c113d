import { describe, expect, it } from 'vitest';
import { EmbeddingError } from './embedding-error.js';
import { createHashEmbedder } from './hash-embedder.js';
import { cosineSimilarity } from './vector.js';

const norm = (v: Float32Array) => Math.hypot(...v);

describe('createHashEmbedder', () => {
  it('describes itself as hash-<dims> and returns vectors of that length', async () => {
    const embedder = createHashEmbedder({ dims: 128 });
    expect(embedder.model).toEqual({ id: 'hash-128', version: '1', dims: 128, maxTokens: 8192 });
    const [vector] = await embedder.embed(['kafka consumer lag'], 'document');
    expect(vector).toBeInstanceOf(Float32Array);
    expect(vector).toHaveLength(128);
    expect(createHashEmbedder().model.dims).toBe(384);
  });

  it('L2-normalizes every vector, also for texts without words', async () => {
    const vectors = await createHashEmbedder().embed(['one', 'the the the the', 'a b c d e f g h i j k', '', '!!! ...'], 'document');
    for (const vector of vectors) expect(norm(vector)).toBeCloseTo(1, 5);
  });

  it('is deterministic across calls and instances, and pinned to FNV-1a bucket and sign', async () => {
    const text = 'Exactly-once semantics with idempotent producers.';
    const [a] = await createHashEmbedder().embed([text], 'document');
    const [b] = await createHashEmbedder().embed([text], 'query');
    expect(Array.from(b!)).toEqual(Array.from(a!));
    // fnv1a("hello") = 0x4f9f2cab, 0x4f9f2cab % 384 = 171, sign +: stored vectors stay valid across releases.
    const [hello] = await createHashEmbedder().embed(['Hello'], 'document');
    expect(hello![171]).toBe(1);
    expect(Array.from(hello!).filter((x) => x !== 0)).toHaveLength(1);
  });

  it('tokenizes lowercase Unicode words, so case and punctuation do not matter', async () => {
    const embedder = createHashEmbedder();
    const [a, b] = await embedder.embed(['Héllo, Wörld: 42!', 'héllo wörld 42'], 'document');
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(embedder.countTokens('Héllo, Wörld: 42 times!')).toBe(4);
    expect(embedder.countTokens('  ')).toBe(0);
  });

  it('ranks texts by shared words: positive when they share words, near zero when not', async () => {
    const embedder = createHashEmbedder();
    const [query, best, partial, unrelated] = await embedder.embed(
      [
        'kafka consumer lag',
        'monitoring kafka consumer lag in production',
        'tuning the kafka broker configuration',
        'baking sourdough bread at home',
      ],
      'document',
    );
    const sBest = cosineSimilarity(query!, best!);
    const sPartial = cosineSimilarity(query!, partial!);
    const sUnrelated = cosineSimilarity(query!, unrelated!);
    expect(sBest).toBeGreaterThan(sPartial);
    expect(sPartial).toBeGreaterThan(0);
    expect(Math.abs(sUnrelated)).toBeLessThan(0.2);
  });

  it('uses bigrams unless disabled, so word order counts only with them', async () => {
    const texts = ['dog bites man', 'man bites dog'];
    const [a, b] = await createHashEmbedder().embed(texts, 'document');
    expect(cosineSimilarity(a!, b!)).toBeLessThan(0.99);
    const [c, d] = await createHashEmbedder({ bigrams: false }).embed(texts, 'document');
    expect(cosineSimilarity(c!, d!)).toBeCloseTo(1, 6);
  });

  it('rejects a non-positive dims with INVALID_CONFIG', () => {
    expect(() => createHashEmbedder({ dims: 0 })).toThrow(EmbeddingError);
    expect(() => createHashEmbedder({ dims: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
