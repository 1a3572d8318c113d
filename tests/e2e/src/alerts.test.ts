// The alert rules on a live stack: a Prometheus of the test's own (deploy/local/prometheus.sh on a
// free port, 1 s scrapes) scrapes a chunk-embed worker; a poison event on documents.ingest puts
// RagmeshMessagesDeadLettered in `pending` (its `for` is 1 minute), and the readiness gauge is 1.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics } from '@ragmesh/contracts';
import { testKafka, uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, meshEnv, root, startGroupsAtEnd, startService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

const services: Partial<Record<ServiceName, RunningService>> = {};
const stateDir = mkdtempSync(join(tmpdir(), 'ragmesh-prometheus-'));
let scriptEnv: NodeJS.ProcessEnv;
let prometheus: string;

function prometheusScript(verb: 'up' | 'down'): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(join(root, 'deploy/local/prometheus.sh'), [verb], { env: scriptEnv }, (error, stdout, stderr) => (error ? reject(new Error(`prometheus.sh ${verb}: ${stderr || stdout}`)) : resolve())),
  );
}

async function promQuery<T>(path: string): Promise<T> {
  const response = await fetch(`${prometheus}${path}`);
  const body = (await response.json()) as { status: string; data: T };
  expect(body.status).toBe('success');
  return body.data;
}

beforeAll(async () => {
  const env = meshEnv('alerts');
  await startGroupsAtEnd(env);
  services['chunk-embed'] = await startService('chunk-embed', env);
  const port = await freePort();
  prometheus = `http://127.0.0.1:${port}`;
  scriptEnv = { ...process.env, RAGMESH_STATE_DIR: stateDir, PROMETHEUS_PORT: String(port), PROMETHEUS_INTERVAL: '1s' };
  mkdirSync(join(stateDir, 'prometheus'), { recursive: true });
  const target = new URL(services['chunk-embed'].url).host;
  writeFileSync(join(stateDir, 'prometheus/targets.json'), JSON.stringify([{ targets: [target], labels: { job: 'ragmesh-chunk-embed' } }]));
  await prometheusScript('up');
}, 120_000);

afterAll(async () => {
  await prometheusScript('down').catch(() => {});
  await stopServices(services);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('alert rules on a live stack', () => {
  it('scrapes the worker, sees it ready, and puts a dead letter in pending', async () => {
    type Sample = { metric: Record<string, string>; value: [number, string] };
    await waitFor(async () => (await promQuery<{ result: Sample[] }>('/api/v1/query?query=ragmesh_ready')).result.length > 0, { timeoutMs: 30_000, what: 'ragmesh_ready scraped' });
    const ready = await promQuery<{ result: Sample[] }>('/api/v1/query?query=ragmesh_ready');
    expect(ready.result.map((s) => [s.metric.job, s.value[1]])).toEqual([['ragmesh-chunk-embed', '1']]);
    const alertsBefore = await promQuery<{ alerts: { labels: Record<string, string> }[] }>('/api/v1/alerts');
    expect(alertsBefore.alerts.filter((a) => a.labels.alertname === 'RagmeshMessagesDeadLettered')).toEqual([]);

    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({ topic: topics.documentsIngest, messages: [{ key: `${uniqueName('alerts')}:poison`, value: Buffer.from('not avro') }] });
    await producer.disconnect();

    type Alert = { labels: Record<string, string>; state: string };
    let dead: Alert | undefined;
    await waitFor(async () => {
      dead = (await promQuery<{ alerts: Alert[] }>('/api/v1/alerts')).alerts.find((a) => a.labels.alertname === 'RagmeshMessagesDeadLettered');
      return dead !== undefined;
    }, { timeoutMs: 60_000, what: 'RagmeshMessagesDeadLettered raised' });
    expect(dead).toMatchObject({ state: 'pending', labels: { alertname: 'RagmeshMessagesDeadLettered', job: 'ragmesh-chunk-embed', topic: 'documents.ingest', severity: 'warning' } });
  }, 120_000);
});
