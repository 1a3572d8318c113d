// The alert rules on a live stack: a Prometheus of the test's own (deploy/local/prometheus.sh on a
// free port, 1 s scrapes) scrapes a chunk-embed worker; a poison event on documents.ingest puts
// RagmeshMessagesDeadLettered in `pending` (its `for` is 1 minute), and the readiness gauge is 1.
import { topics } from '@ragmesh/contracts';
import { testKafka, uniqueName, waitFor } from '@ragmesh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshEnv, startGroupsAtEnd, startPrometheus, startService, stopServices, type RunningService, type ServiceName } from './mesh-harness.js';

const services: Partial<Record<ServiceName, RunningService>> = {};
let prometheus: Awaited<ReturnType<typeof startPrometheus>>;

beforeAll(async () => {
  const env = meshEnv('alerts');
  await startGroupsAtEnd(env);
  services['chunk-embed'] = await startService('chunk-embed', env);
  prometheus = await startPrometheus([{ job: 'ragmesh-chunk-embed', url: services['chunk-embed'].url }]);
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await stopServices(services);
});
describe('alert rules on a live stack', () => {
  it('scrapes the worker, sees it ready, and puts a dead letter in pending', async () => {
    type Sample = { metric: Record<string, string>; value: [number, string] };
    await waitFor(async () => (await prometheus.api<{ result: Sample[] }>('/api/v1/query?query=ragmesh_ready')).result.length > 0, { timeoutMs: 30_000, what: 'ragmesh_ready scraped' });
    const ready = await prometheus.api<{ result: Sample[] }>('/api/v1/query?query=ragmesh_ready');
    expect(ready.result.map((s) => [s.metric.job, s.value[1]])).toEqual([['ragmesh-chunk-embed', '1']]);
    const alertsBefore = await prometheus.api<{ alerts: { labels: Record<string, string> }[] }>('/api/v1/alerts');
    expect(alertsBefore.alerts.filter((a) => a.labels.alertname === 'RagmeshMessagesDeadLettered')).toEqual([]);

    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({ topic: topics.documentsIngest, messages: [{ key: `${uniqueName('alerts')}:poison`, value: Buffer.from('not avro') }] });
    await producer.disconnect();

    type Alert = { labels: Record<string, string>; state: string };
    let dead: Alert | undefined;
    await waitFor(async () => {
      dead = (await prometheus.api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts.find((a) => a.labels.alertname === 'RagmeshMessagesDeadLettered');
      return dead !== undefined;
    }, { timeoutMs: 60_000, what: 'RagmeshMessagesDeadLettered raised' });
    expect(dead).toMatchObject({ state: 'pending', labels: { alertname: 'RagmeshMessagesDeadLettered', job: 'ragmesh-chunk-embed', topic: 'documents.ingest', severity: 'warning' } });
  }, 120_000);
});
