import { describe, expect, it } from 'vitest';
import { createEmbedder } from './create-embedder.js';

describe('createEmbedder', () => {
  it('builds the hash provider', async () => {
    const embedder = await createEmbedder({ provider: 'hash', dims: 64 });
    expect(embedder.model.id).toBe('hash-64');
    expect((await embedder.embed(['a b'], 'document'))[0]).toHaveLength(64);
  });

  it('builds the openai provider without calling the server', async () => {
    const embedder = await createEmbedder({ provider: 'openai', baseUrl: 'http://127.0.0.1:9', model: 'nomic-embed-text', dims: 768 });
    expect(embedder.model).toMatchObject({ id: 'nomic-embed-text', dims: 768 });
  });

  it('loads local models from <modelsDir>/<modelId> and reports the folder when missing', async () => {
    await expect(createEmbedder({ provider: 'local', modelId: 'bge-small-en-v1.5', modelsDir: '/nonexistent/models' })).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringContaining('/nonexistent/models/bge-small-en-v1.5'),
    });
  });
});
