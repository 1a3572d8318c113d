// Scoped, expiring, revocable API keys through the real CLI and two gateway instances: a key
// without the scope gets 403 naming it; a revoked or expired key gets 401 from every gateway
// within a second; `keys list --json` never shows a secret; the audit log names who did what.
import { userInfo } from 'node:os';
import { uniqueName } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool } from './corpus.js';
import { killAll, meshEnv, runCli, startGroupsAtEnd, startService, stopService, type RunningService } from './mesh-harness.js';

const pool = appPool();
const tenant = uniqueName('keys');
const gateways: RunningService[] = [];
let retriever: RunningService;

async function cli(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(args);
  if (code !== 0) throw new Error(`ragmesh ${args.join(' ')} exited ${code}: ${stderr}`);
  return stdout;
}

/** `keys create` through the CLI: the id from its first line, the key from its last. */
async function createKey(...options: string[]): Promise<{ id: string; key: string }> {
  const lines = (await cli(['keys', 'create', '--tenant', tenant, ...options])).trim().split('\n');
  return { id: /created API key (key_[0-9a-f]+)/.exec(lines[0]!)![1]!, key: lines.at(-1)! };
}

async function call(gateway: RunningService, key: string, route: 'query' | 'document' | 'generations') {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const init =
    route === 'query' ? { method: 'POST', body: JSON.stringify({ query: 'scoped keys', topK: 1 }) }
    : route === 'document' ? { method: 'POST', body: JSON.stringify({ id: 'k1', content: 'A document sent with a scoped key.', contentType: 'text/plain' }) }
    : { method: 'GET' };
  const response = await fetch(`${gateway.url}/v1/${route === 'document' ? 'documents' : route}`, { ...init, headers });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; details: Record<string, unknown> }; generations?: unknown[] } };
}

/** Calls both gateways every ~50 ms with `key` until `stop`; returns each call's start time and status. */
function hammer(key: string) {
  const calls: { at: number; status: number }[] = [];
  let running = true;
  const loops = gateways.map(async (gateway) => {
    while (running) {
      const at = Date.now();
      calls.push({ at, status: (await call(gateway, key, 'query')).status });
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  return { calls, stop: async () => { running = false; await Promise.all(loops); } };
}

beforeAll(async () => {
  const env = meshEnv('keys');
  await startGroupsAtEnd(env);
  retriever = await startService('retriever', env);
  for (let i = 0; i < 2; i++) gateways.push(await startService('gateway', { ...env, GATEWAY_INSTANCE_ID: `keys-${i}` }));
}, 180_000);

afterAll(async () => {
  for (const service of [...gateways, retriever]) if (service) await stopService(service);
  killAll();
  await pool.end();
});

describe('API keys', () => {
  it('defaults to ingest,query; refuses a route outside the key\'s scopes with 403 naming the scope', async () => {
    const standard = await createKey();
    const queryOnly = await createKey('--scopes', 'query');
    const [a, b] = gateways as [RunningService, RunningService];
    expect((await call(a, standard.key, 'document')).status).toBe(202);
    expect((await call(b, standard.key, 'query')).status).toBe(200);
    const generations = await call(a, standard.key, 'generations');
    expect(generations.status).toBe(403);
    expect(generations.body.error).toMatchObject({ code: 'FORBIDDEN', details: { scope: 'admin', keyId: standard.id } });

    expect((await call(b, queryOnly.key, 'query')).status).toBe(200);
    const refused = await call(b, queryOnly.key, 'document');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { scope: 'ingest', keyId: queryOnly.id, scopes: ['query'] } });

    const admin = await createKey('--scopes', 'admin');
    const listed = await call(a, admin.key, 'generations');
    expect(listed.status).toBe(200);
    expect(listed.body.generations).toEqual([expect.objectContaining({ state: 'active', modelId: expect.any(String) })]);
  });

  it('lists keys with ids, scopes, expiry and last use, never the secret', async () => {
    const created = await createKey('--scopes', 'ingest,pii:read', '--name', 'listed', '--expires-in', '30d');
    await call(gateways[0]!, created.key, 'document');
    const output = await cli(['keys', 'list', '--tenant', tenant, '--json']);
    expect(output).not.toContain(created.key);
    const keys = JSON.parse(output) as { id: string; tenant: string; name: string | null; scopes: string[]; revoked: boolean; expiresAt: string | null; lastUsedAt: string | null }[];
    const mine = keys.find((k) => k.id === created.id)!;
    expect(mine).toMatchObject({ tenant, name: 'listed', scopes: ['ingest', 'pii:read'], revoked: false });
    expect(Date.parse(mine.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(mine.lastUsedAt).not.toBeNull();
    expect(keys.every((k) => k.tenant === tenant)).toBe(true);
  });

  it('refuses unknown scopes and bad lifetimes at the command line, naming the option', async () => {
    const scope = await runCli(['keys', 'create', '--tenant', tenant, '--scopes', 'ingest,everything']);
    expect(scope.code).not.toBe(0);
    expect(scope.stderr).toContain('unknown scope "everything"');
    const lifetime = await runCli(['keys', 'create', '--tenant', tenant, '--expires-in', 'soon']);
    expect(lifetime.code).not.toBe(0);
    expect(lifetime.stderr).toContain('--expires-in');
  });

  it('a revoked key gets 401 from every gateway within a second of the revocation', async () => {
    const { id, key } = await createKey();
    const load = hammer(key);
    await new Promise((r) => setTimeout(r, 700)); // both gateways hold the key in their cache
    const revoked = await cli(['keys', 'revoke', id]);
    const revokedAt = Date.now(); // the revocation committed before the command exited
    expect(revoked).toContain(`revoked ${id}`);
    await new Promise((r) => setTimeout(r, 1_600));
    await load.stop();
    const before = load.calls.filter((c) => c.at < revokedAt - 1_000);
    const after = load.calls.filter((c) => c.at >= revokedAt + 1_000);
    expect(before.length).toBeGreaterThan(2);
    expect(before.every((c) => c.status === 200)).toBe(true);
    expect(after.length).toBeGreaterThan(2);
    expect(after.map((c) => c.status)).toEqual(after.map(() => 401));
    expect((await runCli(['keys', 'revoke', id])).code).toBe(1); // already revoked
    const listed = JSON.parse(await cli(['keys', 'list', '--tenant', tenant, '--json'])) as { id: string; revoked: boolean }[];
    expect(listed.find((k) => k.id === id)?.revoked).toBe(true);
  });

  it('an expired key gets 401 from every gateway', async () => {
    const { key } = await createKey('--expires-in', '2s');
    for (const g of gateways) expect((await call(g, key, 'query')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_200));
    for (const g of gateways) {
      const answer = await call(g, key, 'query');
      expect([answer.status, answer.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
  });

  it('writes key creation and revocation to the audit log with who did it', async () => {
    const entries = JSON.parse(await cli(['audit', 'list', '--tenant', tenant, '--json'])) as { actor: string; action: string; details: { keyId?: string } }[];
    const actions = entries.map((e) => e.action);
    expect(actions.filter((a) => a === 'keys.create')).toHaveLength(6);
    expect(actions.filter((a) => a === 'keys.revoke')).toHaveLength(1);
    expect(entries.every((e) => e.actor === `cli:${userInfo().username}` && e.details.keyId?.startsWith('key_'))).toBe(true);
  });
});
