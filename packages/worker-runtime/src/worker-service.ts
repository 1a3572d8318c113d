import type { Topic } from '@ragmesh/contracts';
import type { Logger } from '@ragmesh/telemetry';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admin, Producer } from 'kafkajs';
import { createConsumerWorker, type ConsumerWorkerOptions } from './consumer-worker.js';
import { startHealthServer, type ReadinessCheck } from './health-server.js';
import { kafkaReady, registryReady } from './readiness-checks.js';
import { onShutdown } from './shutdown.js';
import { whenAvailable } from './when-available.js';

export interface WorkerServiceOptions<T extends Topic> extends Omit<ConsumerWorkerOptions<T>, 'onCrash'> {
  service: string;
  admin: Admin;
  producer: Producer;
  registryUrl: string;
  health: { port: number; host: string; checks: Record<string, ReadinessCheck>; degradable?: Record<string, ReadinessCheck> };
  metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The service's own resources (pools, clients, models), closed after Kafka, in order. */
  closers: { name: string; close: () => Promise<unknown> }[];
  /** Work the handler left running (detached tasks): awaited after the consumer stops, while the producer still works. */
  drain?: () => Promise<void>;
  logger: Logger;
}

/**
 * Runs a consumer service: the worker, /healthz /readyz /metrics (Kafka, registry and group
 * membership checked besides the service's own checks), and an orderly SIGTERM: stop consuming,
 * wait for detached work (`drain`), then producer, admin, health server, then the service's closers. A crashed consumer exits 1 so
 * the supervisor restarts the process.
 */
export async function runWorkerService<T extends Topic>(options: WorkerServiceOptions<T>) {
  const { service, admin, producer, registryUrl, health: healthOptions, metricsHandler, closers, drain, ...workerOptions } = options;
  const worker = createConsumerWorker({ ...workerOptions, producer, onCrash: () => process.exit(1) });
  const health = await startHealthServer({
    port: healthOptions.port,
    host: healthOptions.host,
    metricsHandler,
    checks: {
      kafka: kafkaReady(admin),
      ...healthOptions.checks,
      consumer: () => {
        if (!worker.isJoined()) throw new Error('not in the consumer group yet');
      },
      configuration: () => {
        const problem = worker.configurationProblem();
        if (problem) throw new Error(problem);
      },
    },
    // Known schema ids are cached: events keep flowing while the registry is away.
    degradable: { registry: registryReady(registryUrl), ...healthOptions.degradable },
  });
  onShutdown({
    logger: options.logger,
    closers: [
      { name: 'consumer', close: () => worker.stop() },
      ...(drain ? [{ name: 'in-flight work', close: drain }] : []),
      { name: 'producer', close: () => producer.disconnect() },
      { name: 'admin', close: () => admin.disconnect() },
      { name: 'health', close: () => new Promise((resolve) => health.close(resolve)) },
      ...closers,
    ],
  });
  await whenAvailable('kafka', () => worker.start(), options.logger);
  options.logger.info(`${service} started`, { metrics: health.url, groupId: options.groupId, topic: options.topicName ?? options.topic });
  return { worker, health };
}
