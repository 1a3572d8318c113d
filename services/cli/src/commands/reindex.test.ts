import { describe, expect, it } from 'vitest';
import { generationSpec } from './reindex.js';

describe('reindex start arguments', () => {
  it('infers provider and dims for local and hash models', () => {
    expect(generationSpec({ model: 'bge-small-en-v1.5' })).toEqual({ provider: 'local', modelId: 'bge-small-en-v1.5', dims: 384, chunking: null });
    expect(generationSpec({ model: 'hash-256', chunking: 'faq' })).toEqual({ provider: 'hash', modelId: 'hash-256', dims: 256, chunking: 'faq' });
    expect(generationSpec({ model: 'text-embedding-3-small', provider: 'openai', dims: 1536 })).toMatchObject({ provider: 'openai', dims: 1536 });
  });

  it('names what is missing or wrong', () => {
    expect(() => generationSpec({ model: 'text-embedding-3-small' })).toThrow(/--provider is required/);
    expect(() => generationSpec({ model: 'text-embedding-3-small', provider: 'openai' })).toThrow(/--dims is required/);
    expect(() => generationSpec({ model: 'bge-small-en-v1.5', dims: 768 })).toThrow(/--dims 768 does not match/);
    expect(() => generationSpec({ model: 'nope', provider: 'local' })).toThrow(/not a local model/);
    expect(() => generationSpec({ model: 'hash-8', chunking: 'poems' })).toThrow(/poems/);
  });
});
