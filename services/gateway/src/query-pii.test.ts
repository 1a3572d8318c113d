import { randomBytes } from 'node:crypto';
import { createPiiVault, createTenantRedactor } from '@ragmesh/pii';
import { describe, expect, it } from 'vitest';
import { createQueryPii } from './query-pii.js';

const vault = createPiiVault(randomBytes(32));
const stored = new Map<string, Buffer>();
const pii = createQueryPii({
  vault,
  redactor: createTenantRedactor({ vault, policies: { get: async (t) => (t === 'acme' ? { piiRedaction: true, piiPatterns: [] } : null) } }),
  tokens: { load: async (tenant, tokens) => new Map(tokens.filter((t) => stored.has(`${tenant}${t}`)).map((t) => [t, stored.get(`${tenant}${t}`)!])) },
});
const email = 'ada@example.com';
const token = vault.tokenFor('acme', 'EMAIL', email);
stored.set(`acme${token}`, vault.seal('acme', token, email));

describe('createQueryPii', () => {
  it('tokenizes a redacting tenant\'s question and filter values, and leaves other tenants\' alone', async () => {
    const filter = { eq: { field: 'owner', value: email } };
    expect(await pii.redactQuery('acme', `mail from ${email}`, filter)).toEqual({ text: `mail from ${token}`, filter: { eq: { field: 'owner', value: token } } });
    expect(await pii.redactQuery('globex', `mail from ${email}`, filter)).toEqual({ text: `mail from ${email}`, filter });
    expect(await pii.redactRecord('acme', { uri: `mailto:${email}`, title: null })).toEqual({ uri: `mailto:${token}`, title: null });
  });

  it('restores hits and answers from the sealed map, only for tokens of that tenant', async () => {
    const hit = { chunkId: 'c', documentId: 'd', title: `To ${token}`, uri: null, score: 1, text: `Write to ${token}.`, metadata: { owner: token } };
    expect(await pii.restoreHits('acme', [hit])).toEqual([{ ...hit, title: `To ${email}`, text: `Write to ${email}.`, metadata: { owner: email } }]);
    expect(await pii.restoreText('acme', `Ada is ${token} [1].`)).toBe(`Ada is ${email} [1].`);
    expect(await pii.restoreText('globex', `Ada is ${token}.`)).toBe(`Ada is ${token}.`);
  });
});
