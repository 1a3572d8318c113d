// Per-tenant rate limits shared by every gateway instance (Redis): a burst of burst + k requests
// at once through two gateways lets exactly `burst` through; a batch of N documents counts N and
// is accepted or refused whole; limits are set with the CLI, audited, and absent limits mean the
// deployment's defaults.
import { createApiKeyStore, migrate } from '@ragmesh/store';
import { uniqueName } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool } from './corpus.js';
import { killAll, meshEnv, metricValue, runCli, startGroupsAtEnd, startService, stopService, type RunningService } from './mesh-harness.js';

const pool = appPool();
const limited = uniqueName('limited');
const unlimited = uniqueName('defaults');
const keys: Record<string, string> = {};
const gateways: RunningService[] = [];
const others: Record<string, RunningService> = {};
const BURST = 4;

async function cli(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(args);
  if (code !== 0) throw new Error(stderr);
  return stdout;
}

async function send(gateway: RunningService, tenant: string, [path, body]: [string, unknown]) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[tenant]}` }, body: JSON.stringify(body),
  });
  const json = (await response.json()) as { error?: { code: string; message: string; details: Record<string, unknown> } };
  const header = (name: string) => response.headers.get(name);
  return { status: response.status, json, retryAfter: header('retry-after'), limit: header('ratelimit-limit'), remaining: header('ratelimit-remaining') };
}

const doc = (id: string) => ({ id, title: id, content: `Rate limited document ${id}.`, contentType: 'text/plain' });

beforeAll(async () => {
  await migrate(pool);
  for (const tenant of [limited, unlimited]) keys[tenant] = (await createApiKeyStore(pool).create({ tenant })).key;
  await cli(['tenants', 'set-limits', limited, '--queries-per-minute', '6', '--documents-per-minute', '6', '--burst', String(BURST)]);
  const env = meshEnv('limits', { GATEWAY_QUERIES_PER_MINUTE: '600', GATEWAY_DOCUMENTS_PER_MINUTE: '6000' });
  await startGroupsAtEnd(env);
  others.retriever = await startService('retriever', env);
  for (let i = 0; i < 2; i++) gateways.push(await startService('gateway', { ...env, GATEWAY_INSTANCE_ID: `limits-${i}` }));
}, 180_000);

afterAll(async () => {
  for (const service of [...gateways, ...Object.values(others)]) await stopService(service);
  killAll();
  await pool.end();
});

describe('per-tenant rate limits', () => {
  it('lets exactly the burst through two gateways at once and refuses the rest with 429, Retry-After and RateLimit headers', async () => {
    const k = 3;
    const answers = await Promise.all(Array.from({ length: BURST + k }, (_, i) => send(gateways[i % 2]!, limited, ['/v1/query', { query: `burst ${i}`, topK: 1 }])));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(BURST);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.map((a) => a.status)).toEqual(Array.from({ length: k }, () => 429));
    for (const a of refused) {
      expect(a.json.error).toMatchObject({ code: 'RATE_LIMITED', details: { route: 'queries', limitPerMinute: 6, burst: BURST } });
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(a.retryAfter)).toBeLessThanOrEqual(40); // the window: 60 s x burst / per-minute
      expect([a.limit, a.remaining]).toEqual([String(BURST), '0']);
    }
    const counted = await Promise.all(gateways.map((g) => metricValue(g.url, 'ragmesh_rate_limited_total', { tenant: limited, route: 'queries' })));
    expect(counted[0]! + counted[1]!).toBe(k);
  });

  it('counts a batch of N documents as N and accepts or refuses it whole', async () => {
    const [a, b] = gateways as [RunningService, RunningService];
    expect((await send(a, limited, ['/v1/documents', { documents: [doc('d1'), doc('d2'), doc('d3')] }])).status).toBe(202);
    const tooMany = await send(b, limited, ['/v1/documents', { documents: [doc('d4'), doc('d5')] }]);
    expect(tooMany.status).toBe(429);
    expect(tooMany.json.error).toMatchObject({ code: 'RATE_LIMITED', details: { route: 'documents', cost: 2 } });
    // The refused batch took nothing: one document still fits, then none.
    const last = await send(a, limited, ['/v1/documents', { documents: [doc('d6')] }]);
    expect([last.status, last.remaining]).toEqual([202, '0']);
    expect((await send(b, limited, ['/v1/documents', doc('d7')])).status).toBe(429);
    // A batch larger than the burst can never pass: a 400 that says so, not a retry loop.
    const huge = await send(a, limited, ['/v1/documents', { documents: [1, 2, 3, 4, 5].map((i) => doc(`h${i}`)) }]);
    expect(huge.status).toBe(400);
    expect(huge.json.error?.details).toMatchObject({ fields: [{ field: 'documents' }] });
  });

  it('gives a tenant without limits the deployment defaults, and audits every change of limits', async () => {
    const answer = await send(gateways[0]!, unlimited, ['/v1/query', { query: 'defaults', topK: 1 }]);
    expect([answer.status, answer.limit]).toEqual([200, '600']);
    const entries = JSON.parse(await cli(['audit', 'list', '--tenant', limited, '--json'])) as { actor: string; action: string; tenant: string; details: Record<string, unknown> }[];
    const audit = entries.filter((e) => e.action !== 'keys.create');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'limits.set', tenant: limited, details: { queriesPerMinute: 6, documentsPerMinute: 6, burst: BURST } });
    expect(audit[0]!.actor).toMatch(/^cli:/);
  });
});
