import { metrics } from '@opentelemetry/api';
import { topics } from '@ragmesh/contracts';
import { generationCounts, type GenerationStore } from '@ragmesh/store';
import type { Logger } from '@ragmesh/telemetry';
import { consumerLag } from '@ragmesh/worker-runtime';
import type { Admin } from 'kafkajs';
import type pg from 'pg';

export interface GenerationMetricsDeps {
  pool: pg.Pool;
  generations: Pick<GenerationStore, 'following' | 'tenantStates'>;
  admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>;
  groupOf: (generation: number) => string;
  logger: Logger;
  /** How often the counts are read again; 15 s by default (one Prometheus scrape interval). */
  refreshMs?: number;
}

/**
 * `ragmesh_generation_documents{generation,state}` (documents indexed per generation, summed over
 * the tenants in each state) and `ragmesh_generation_lag{generation}` (records of documents.ingest
 * the generation's consumer group has yet to read), read every `refreshMs` rather than per scrape:
 * the counts run per tenant under row-level security.
 */
export function createGenerationMetrics(deps: GenerationMetricsDeps) {
  const meter = metrics.getMeter('@ragmesh/chunk-embed');
  let documents: { value: number; attributes: { generation: string; state: string } }[] = [];
  let lags: { value: number; attributes: { generation: string } }[] = [];
  meter.createObservableGauge('ragmesh_generation_documents', { description: 'Documents indexed per index generation and tenant state' })
    .addCallback((result) => documents.forEach((d) => result.observe(d.value, d.attributes)));
  meter.createObservableGauge('ragmesh_generation_lag', { description: 'documents.ingest records a generation consumer group has not read yet' })
    .addCallback((result) => lags.forEach((l) => result.observe(l.value, l.attributes)));
  let timer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<void> {
    const following = await deps.generations.following();
    const states = await deps.generations.tenantStates();
    const active = new Map(states.filter((s) => s.state === 'active').map((s) => [s.tenant, s.generation]));
    const sums = new Map<string, number>();
    for (const s of states) {
      if (s.state !== 'building' && s.state !== 'active' && s.state !== 'standby') continue;
      const counts = await generationCounts(deps.pool, { tenant: s.tenant, generation: s.generation, active: active.get(s.tenant) ?? null });
      const key = `${s.generation}\u0000${s.state}`;
      sums.set(key, (sums.get(key) ?? 0) + counts.indexed);
    }
    documents = [...sums].map(([key, value]) => {
      const [generation = '', state = ''] = key.split('\u0000');
      return { value, attributes: { generation, state } };
    });
    const ends = await deps.admin.fetchTopicOffsets(topics.documentsIngest);
    const next: typeof lags = [];
    for (const g of following) {
      const [committed] = await deps.admin.fetchOffsets({ groupId: deps.groupOf(g.id), topics: [topics.documentsIngest] });
      next.push({ value: consumerLag(ends, committed?.partitions ?? []), attributes: { generation: String(g.id) } });
    }
    lags = next;
  }

  return {
    start(): void {
      const tick = () => {
        refresh()
          .catch((error: unknown) => deps.logger.warn('generation metrics not refreshed', { error: String(error) }))
          .finally(() => {
            timer = setTimeout(tick, deps.refreshMs ?? 15_000);
          });
      };
      tick();
    },
    stop(): void {
      clearTimeout(timer);
    },
  };
}
