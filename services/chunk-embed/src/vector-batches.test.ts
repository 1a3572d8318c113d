import type { DocumentEvent } from '@ragmesh/contracts';
import { describe, expect, it } from 'vitest';
import { buildVectorBatches, chunkIds } from './vector-batches.js';

const event: DocumentEvent = {
  eventId: 'e1', op: 'UPSERT', tenant: 't', documentId: 'd', uri: 'u', title: 'T', content: 'x', contentType: 'text/plain',
  metadata: { a: '1' }, contentHash: null, chunking: 'default', embeddingModel: null, sourceTime: 42,
};
const model = { id: 'm', version: '1', dims: 2 };

describe('chunkIds', () => {
  it('is stable per text and numbers repeated texts', () => {
    const ids = chunkIds({ documentId: 'd', modelId: 'm', textHashes: ['a', 'b', 'a'] });
    expect(new Set(ids).size).toBe(3);
    expect(chunkIds({ documentId: 'd', modelId: 'm', textHashes: ['b', 'a'] })).toEqual([ids[1], ids[0]]);
  });

  it('differs by document and by model', () => {
    const [base] = chunkIds({ documentId: 'd', modelId: 'm', textHashes: ['a'] });
    expect(chunkIds({ documentId: 'e', modelId: 'm', textHashes: ['a'] })[0]).not.toBe(base);
    expect(chunkIds({ documentId: 'd', modelId: 'n', textHashes: ['a'] })[0]).not.toBe(base);
  });
});

describe('buildVectorBatches', () => {
  const chunks = Array.from({ length: 5 }, (_, i) => ({ ordinal: i, text: `t${i}`, embedText: `T\n\nt${i}`, tokenCount: 2, textHash: `h${i}` }));
  const vectors = chunks.map((_, i) => new Float32Array([i, 1]));

  it('splits a version into parts that together hold every chunk once', () => {
    const parts = buildVectorBatches({ event, contentHash: 'c', model, generation: 3, chunking: 'default', chunks, vectors, partChunks: 2 });
    expect(parts.map((p) => [p.part, p.partCount, p.chunkCount, p.chunks.length])).toEqual([[0, 3, 5, 2], [1, 3, 5, 2], [2, 3, 5, 1]]);
    expect(parts.flatMap((p) => p.chunks.map((c) => c.ordinal))).toEqual([0, 1, 2, 3, 4]);
    expect(parts[0]).toMatchObject({ version: 42, contentHash: 'c', tenant: 't', documentId: 'd', metadata: { a: '1' }, model, generation: 3 });
    expect(parts[1]!.chunks[0]!.embedding).toEqual([2, 1]);
  });

  it('sends one part for an empty document', () => {
    const parts = buildVectorBatches({ event, contentHash: 'c', model, generation: 3, chunking: 'default', chunks: [], vectors: [], partChunks: 2 });
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ partCount: 1, chunkCount: 0, chunks: [] });
  });
});
