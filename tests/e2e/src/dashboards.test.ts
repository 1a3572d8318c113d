// deploy/grafana/ragmesh.json against a live Prometheus (of the test's own) scraping the whole
// mesh after a short run that also causes the rarer events: repeated texts (embedding cache),
// a repeated query (result cache), a poison event (dead letter). Every panel's every query must
// return data, so no panel of the dashboard sits empty for want of a metric or a label.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topics } from '@ragmesh/contracts';
import { createApiKeyStore, migrate } from '@ragmesh/store';
import { testKafka, uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, makeDocuments, storeSnapshot } from './corpus.js';
import { meshEnv, root, startGroupsAtEnd, startPrometheus, startService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

type Panel = { title: string; targets: { expr: string }[] };
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/ragmesh.json'), 'utf8')) as { panels: Panel[] };
const services: Partial<Record<ServiceName, RunningService>> = {};
const pool = appPool();
const tenant = uniqueName('dash');
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
let apiKey: string;

async function call(path: string, body: object): Promise<number> {
  const response = await fetch(`${services.gateway!.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify(body),
  });
  await response.body?.cancel();
  return response.status;
}

beforeAll(async () => {
  await migrate(pool);
  apiKey = await createApiKeyStore(pool).create({ tenant });
  const env = meshEnv('dash');
  await startGroupsAtEnd(env);
  for (const name of ['indexer', 'chunk-embed', 'retriever', 'gateway'] as const) services[name] = await startService(name, env);
  prometheus = await startPrometheus(Object.values(services).map((s) => ({ job: `ragmesh-${s!.name}`, url: s!.url })));
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await stopServices(services);
  await pool.end();
});

describe('the Grafana dashboard', () => {
  it('has data in every panel after a short run', async () => {
    const documents = makeDocuments(20, { seed: 61, prefix: 'd' });
    expect(await call('/v1/documents', { documents })).toBe(202);
    // The same texts again under other ids: their vectors come from the embedding cache.
    expect(await call('/v1/documents', { documents: documents.map((d) => ({ ...d, id: `again-${d.id}` })) })).toBe(202);
    await waitFor(async () => (await storeSnapshot(pool, tenant)).documents.filter((d) => d.status === 'indexed').length === 40, { timeoutMs: 120_000, what: '40 documents indexed' });
    for (let i = 0; i < 3; i++) expect(await call('/v1/query', { query: 'what does the dashboard show', topK: 3 })).toBe(200);
    for (const mode of ['sparse', 'dense']) expect(await call('/v1/query', { query: 'kafka consumer lag', topK: 3, mode })).toBe(200);
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({ topic: topics.documentsIngest, messages: [{ key: `${tenant}:poison`, value: Buffer.from('not avro') }] });
    await producer.disconnect();

    const empty = new Map<string, string>();
    await waitFor(async () => {
      empty.clear();
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets) {
          const data = await prometheus.api<{ result: { value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
          if (!data.result.some((s) => Number.isFinite(Number(s.value[1])))) empty.set(panel.title, expr);
        }
      }
      return empty.size === 0;
    }, { timeoutMs: 90_000, intervalMs: 2_000, what: 'every panel with data' }).catch((error) => {
      throw new Error(`${String(error)}; empty: ${JSON.stringify([...empty])}`);
    });
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
  }, 300_000);
});
