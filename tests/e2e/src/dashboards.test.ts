// deploy/grafana/ragmesh.json against a live Prometheus (of the test's own) scraping the whole
// mesh after a short run that also causes the rarer events: repeated texts (embedding cache),
// a repeated query (result cache), a poison event (dead letter), a query over a tenant's limit (429). Every panel's every query must
// return data, so no panel of the dashboard sits empty for want of a metric or a label.
import { execFile } from 'node:child_process';
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

/** Asks until the answer comes from the result cache (the first answer fills it). */
async function queryUntilCached(text: string): Promise<void> {
  await waitFor(async () => {
    const response = await fetch(`${services.gateway!.url}/v1/query`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ query: text, topK: 3 }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { timings: { cached?: number } }).timings.cached === 1;
  }, { timeoutMs: 20_000, intervalMs: 300, what: 'a cached answer' });
}

const indexed = async () => (await storeSnapshot(pool, tenant)).documents.filter((d) => d.status === 'indexed').length;

beforeAll(async () => {
  await migrate(pool);
  apiKey = (await createApiKeyStore(pool).create({ tenant })).key;
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
    // Texts of this run only (the run's tenant name in each), so the model embeds them first.
    const documents = makeDocuments(20, { seed: 61, prefix: 'd' }).map((d) => ({ ...d, content: `${d.content}\n\nRun ${tenant}.` }));
    expect(await call('/v1/documents', { documents })).toBe(202);
    await waitFor(async () => (await indexed()) === 20, { timeoutMs: 120_000, what: '20 documents indexed' });
    // The same texts again under other ids, once the first are in: their vectors come from the embedding cache.
    expect(await call('/v1/documents', { documents: documents.map((d) => ({ ...d, id: `again-${d.id}` })) })).toBe(202);
    await waitFor(async () => (await indexed()) === 40, { timeoutMs: 120_000, what: '40 documents indexed' });
    await queryUntilCached('what does the dashboard show');
    for (const mode of ['sparse', 'dense']) expect(await call('/v1/query', { query: 'kafka consumer lag', topK: 3, mode })).toBe(200);
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({ topic: topics.documentsIngest, messages: [{ key: `${tenant}:poison`, value: Buffer.from('not avro') }] });
    await producer.disconnect();

    // Queries keep coming while the panels are read, as on a live dashboard: a quantile over the
    // last minute needs queries in the last minute.
    let asking = true;
    const background = (async () => {
      while (asking) {
        await call('/v1/query', { query: 'kafka consumer lag', topK: 3 });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    // More copies once Prometheus knows every series: rate() sees increases, not a series' birth.
    await waitFor(async () => (await prometheus.api<{ result: unknown[] }>('/api/v1/query?query=ragmesh_embeddings_total')).result.length >= 2, { timeoutMs: 30_000, what: 'embedding counters scraped' });
    expect(await call('/v1/documents', { documents: documents.map((d) => ({ ...d, id: `third-${d.id}` })) })).toBe(202);
    await waitFor(async () => (await indexed()) === 60, { timeoutMs: 120_000, what: '60 documents indexed' });
    // One query over a tight limit: a 429.
    await new Promise<void>((resolve, reject) =>
      execFile('node', [join(root, 'services/cli/dist/main.js'), 'tenants', 'set-limits', tenant, '--queries-per-minute', '1000', '--documents-per-minute', '1000', '--burst', '1'], { env: process.env }, (error) => (error ? reject(error) : resolve())),
    );
    await new Promise((resolve) => setTimeout(resolve, 5_500)); // the gateway reads limits at most 5 s old
    const statuses = [await call('/v1/query', { query: 'over the limit', topK: 1 }), await call('/v1/query', { query: 'over the limit', topK: 1 })];
    expect(statuses).toContain(429);
    const empty = new Map<string, string>();
    await waitFor(async () => {
      empty.clear();
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets) {
          const data = await prometheus.api<{ result: { value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
          // +Inf is data (a quantile above the top bucket); NaN (0/0) is not.
          if (!data.result.some((s) => s.value[1] !== 'NaN')) empty.set(panel.title, expr);
        }
      }
      return empty.size === 0;
    }, { timeoutMs: 90_000, intervalMs: 2_000, what: 'every panel with data' }).catch(async (error) => {
      const up = await prometheus.api<{ result: { metric: { job: string }; value: [number, string] }[] }>('/api/v1/query?query=up');
      throw new Error(`${String(error)}; empty: ${JSON.stringify([...empty])}; up: ${JSON.stringify(up.result.map((r) => [r.metric.job, r.value[1]]))}`);
    }).finally(() => {
      asking = false;
    });
    await background;
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
  }, 300_000);
});
