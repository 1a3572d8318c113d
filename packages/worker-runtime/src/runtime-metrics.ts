import { metrics, type Attributes } from '@opentelemetry/api';

/** Consumer metrics shared by every worker; names are part of the operations contract. */
export function createRuntimeMetrics(groupId: string) {
  const meter = metrics.getMeter('@ragmesh/worker-runtime');
  const lag = new Map<string, { attributes: Attributes; value: number }>();
  meter
    .createObservableGauge('ragmesh_consumer_lag', { description: 'Messages behind the high watermark, per partition, after the last handled batch' })
    .addCallback((result) => {
      for (const { attributes, value } of lag.values()) result.observe(value, { ...attributes, group: groupId });
    });
  return {
    messages: meter.createCounter('ragmesh_consumer_messages', { description: 'Messages handled (including those sent to the DLQ)' }),
    /** More than one join per process start means the group lost this member (a rebalance, a missed heartbeat). */
    joins: meter.createCounter('ragmesh_consumer_group_joins', { description: 'Times this consumer joined its group' }),
    deadLettered: meter.createCounter('ragmesh_dlq_messages', { description: 'Messages sent to the DLQ' }),
    retries: meter.createCounter('ragmesh_consumer_retries', { description: 'Retries of failed handler attempts' }),
    batchSize: meter.createHistogram('ragmesh_batch_size', {
      description: 'Messages per handled slice',
      advice: { explicitBucketBoundaries: [1, 2, 5, 10, 20, 50, 100, 200, 500] },
    }),
    batchDuration: meter.createHistogram('ragmesh_batch_duration_seconds', {
      description: 'Time to handle one slice, commit included',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
    }),
    setLag(attributes: Attributes, value: number) {
      lag.set(`${String(attributes.topic)}/${String(attributes.partition)}`, { attributes, value: Math.max(0, value) });
    },
  };
}
