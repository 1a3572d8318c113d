import { describe, expect, it } from 'vitest';
import { contentHash, sha256Hex } from './content-hash.js';

describe('contentHash', () => {
  const base = { normalized: 'Hello world.', policy: 'default', modelId: 'bge-small-en-v1.5' };

  it('is sha256 hex and deterministic', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(contentHash(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash({ ...base })).toBe(contentHash(base));
  });

  it('changes with the content, the policy and the model', () => {
    const hashes = new Set([
      contentHash(base),
      contentHash({ ...base, normalized: 'Hello world!' }),
      contentHash({ ...base, policy: 'faq' }),
      contentHash({ ...base, modelId: 'bge-small-en-v2' }),
    ]);
    expect(hashes.size).toBe(4);
  });

  it('does not confuse where one part ends and the next begins', () => {
    expect(contentHash({ normalized: 'x', policy: 'ab', modelId: 'c' })).not.toBe(
      contentHash({ normalized: 'x', policy: 'a', modelId: 'bc' }),
    );
  });
});
