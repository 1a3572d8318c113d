import { describe, expect, it } from 'vitest';
import { capPolicy, getPolicy, policies } from './policies.js';

describe('policies', () => {
  it('has the documented budgets', () => {
    expect(policies.default).toMatchObject({ minTokens: 100, maxTokens: 256, overlapTokens: 24 });
    expect(policies.faq).toMatchObject({ minTokens: 150, maxTokens: 300, overlapTokens: 30 });
    expect(policies.procedural).toMatchObject({ minTokens: 400, maxTokens: 800, overlapTokens: 64 });
  });

  it('looks policies up by name and rejects unknown ones with UNKNOWN_POLICY', () => {
    expect(getPolicy('faq')).toBe(policies.faq);
    expect(() => getPolicy('toString')).toThrow(expect.objectContaining({ code: 'UNKNOWN_POLICY', retriable: false }));
  });

  it('caps a policy at the model limit, keeping its proportions', () => {
    expect(capPolicy(policies.procedural, 256)).toEqual({ name: 'procedural', minTokens: 128, maxTokens: 256, overlapTokens: 20 });
    expect(capPolicy(policies.default, 512)).toBe(policies.default);
    expect(capPolicy(policies.default, undefined)).toBe(policies.default);
  });
});
