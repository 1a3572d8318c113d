// The threaded embedder through the built package (its thread entry is compiled JavaScript).
import { createEmbedderPool, createHashEmbedder, createThreadedEmbedder } from '@ragmesh/embeddings';
import { describe, expect, it } from 'vitest';

describe('threaded embedder', () => {
  it('gives the vectors of the inline embedder while the event loop keeps turning', async () => {
    const inline = createHashEmbedder({ dims: 16 });
    const threaded = await createThreadedEmbedder({ config: { provider: 'hash', dims: 16, workMsPerText: 100 }, countTokens: inline.countTokens });
    try {
      expect(threaded.model).toEqual(inline.model);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 20);
      const texts = Array.from({ length: 10 }, (_, i) => `text number ${i}`);
      const vectors = await threaded.embed(texts, 'document');
      clearInterval(timer);
      // One second of CPU in the thread; the main thread ticked all along (about 50 times).
      expect(ticks).toBeGreaterThan(25);
      expect(vectors.map((v) => Array.from(v))).toEqual((await inline.embed(texts, 'document')).map((v) => Array.from(v)));
      expect(threaded.countTokens('three small words')).toBe(3);
    } finally {
      await threaded.close();
    }
    await expect(threaded.embed(['x'], 'document')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('names an unknown local model', async () => {
    const pool = createEmbedderPool({});
    await expect(pool.get({ provider: 'local', modelId: 'no-such-model', dims: 384 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
