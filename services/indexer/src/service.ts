import { startTelemetry } from '@ragmesh/telemetry/sdk';
import { kafkaClientOptions, loadOrExit, vectorIndexGraph } from '@ragmesh/config';
import { createSerde, topics } from '@ragmesh/contracts';
import { analyzeTables, createDocumentRequests, createGenerationStore, createIndexWriter, createPool, migrate } from '@ragmesh/store';
import { createLogger } from '@ragmesh/telemetry';
import { createKafka, createProducer, postgresReady, runWorkerService, whenAvailable } from '@ragmesh/worker-runtime';
import { createIndexer } from './app.js';
import { loadConfig } from './config.js';

const telemetry = startTelemetry({ service: 'indexer' });
const config = loadOrExit(() => loadConfig(), 'indexer');
const logger = createLogger({ service: 'indexer', level: config.LOG_LEVEL });

const pool = createPool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, applicationName: 'ragmesh-indexer', onConnectionError: (error) => logger.warn('postgres connection lost; reconnecting on next use', { error: error.message }) });
await whenAvailable('postgres', () => migrate(pool), logger);
const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-indexer'), logger });
const admin = kafka.admin();
await whenAvailable('kafka', () => admin.connect(), logger);
const serde = createSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topics: [topics.vectorsUpsert] });
await whenAvailable('the schema registry', () => serde.register(), logger);
const producer = await whenAvailable('kafka', () => createProducer(kafka), logger);

const generations = createGenerationStore(pool);
const indexer = createIndexer({
  writer: createIndexWriter(pool, { graph: vectorIndexGraph(config) }),
  documents: createDocumentRequests(pool),
  activeGeneration: async (tenant) => (await generations.activeFor(tenant))?.id ?? null,
  logger,
  analyze: () => analyzeTables(pool),
});
await runWorkerService({
  service: 'indexer',
  kafka, admin, producer, serde, logger,
  topic: topics.vectorsUpsert,
  groupId: config.INDEXER_GROUP_ID,
  handler: indexer.handle,
  onDeadLetter: indexer.onDeadLetter,
  maxBatchMessages: config.INDEXER_MAX_BATCH,
  partitionsConsumedConcurrently: config.INDEXER_PARTITIONS_CONCURRENCY,
  sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
  registryUrl: config.SCHEMA_REGISTRY_URL,
  health: { port: config.METRICS_PORT, host: config.METRICS_HOST, checks: { postgres: postgresReady(pool) } },
  metricsHandler: telemetry.metricsHandler,
  closers: [
    { name: 'postgres', close: () => pool.end() },
    { name: 'telemetry', close: () => telemetry.shutdown() },
  ],
});
