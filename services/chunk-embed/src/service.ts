import { startTelemetry } from '@ragmesh/telemetry/sdk';
import { embeddingModelId, kafkaClientOptions, loadOrExit } from '@ragmesh/config';
import { createSerde, topics } from '@ragmesh/contracts';
import { createEmbedderPool } from '@ragmesh/embeddings';
import { createPiiVault, createTenantRedactor, piiKeyFrom } from '@ragmesh/pii';
import { createDocumentRequests, createGenerationStore, createPiiTokenStore, createPool, createTenantPolicies, generationGroupId, migrate } from '@ragmesh/store';
import { createLogger } from '@ragmesh/telemetry';
import { createConsumerWorker, createKafka, createProducer, kafkaReady, onShutdown, postgresReady, redisReady, registryReady, startHealthServer, whenAvailable } from '@ragmesh/worker-runtime';
import { Redis } from 'ioredis';
import { createChunkEmbedWorker } from './app.js';
import { loadConfig } from './config.js';
import { createGenerationMetrics } from './generation-metrics.js';
import { createGenerationWorkers, createPacer } from './generation-workers.js';
import { createRedisCaches } from './redis-caches.js';
import { createVectorPublisher } from './vector-publisher.js';

const telemetry = startTelemetry({ service: 'chunk-embed' });
const config = loadOrExit(() => loadConfig(), 'chunk-embed');
const logger = createLogger({ service: 'chunk-embed', level: config.LOG_LEVEL });

const embedders = createEmbedderPool(config);
const defaultEmbedder = await embedders.get({ provider: config.EMBEDDINGS_PROVIDER, modelId: config.EMBEDDINGS_MODEL, dims: config.EMBEDDINGS_DIMS });
const pool = createPool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, applicationName: 'ragmesh-chunk-embed', onConnectionError: (error) => logger.warn('postgres connection lost; reconnecting on next use', { error: error.message }) });
await whenAvailable('postgres', () => migrate(pool), logger);
const generations = createGenerationStore(pool);
const defaultGeneration = await whenAvailable('postgres', () => generations.ensureDefault({
  provider: config.EMBEDDINGS_PROVIDER, modelId: embeddingModelId(config), modelVersion: defaultEmbedder.model.version, dims: defaultEmbedder.model.dims,
}), logger);
// No offline queue: while Redis is away a cache call fails at once and the work goes on uncached.
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-chunk-embed'), logger });
const admin = kafka.admin();
await whenAvailable('kafka', () => admin.connect(), logger);
const serde = createSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topics: [topics.documentsIngest, topics.vectorsUpsert] });
await whenAvailable('the schema registry', () => serde.register(), logger);
const producer = await whenAvailable('kafka', () => createProducer(kafka), logger);
const caches = createRedisCaches(redis, { ttlSeconds: config.EMBEDDINGS_CACHE_TTL_SECONDS, logger });
const documents = createDocumentRequests(pool);
const publisher = createVectorPublisher({ producer, serde });
const groupOf = (generation: number) => generationGroupId(config.CHUNK_EMBED_GROUP_ID, generation, defaultGeneration.id);
// PII redaction for tenants whose policy asks for it (pnpm ragmesh tenants set-policy).
const vault = config.PII_ENCRYPTION_KEY ? createPiiVault(piiKeyFrom(config.PII_ENCRYPTION_KEY)) : null;
const redactor = createTenantRedactor({ vault, policies: createTenantPolicies(pool) });
const piiTokens = createPiiTokenStore(pool);
const pii = {
  forTenant: redactor.forTenant,
  save: (tenant: string, values: Map<string, string>) => piiTokens.save(tenant, [...values].map(([token, value]) => ({ token, sealed: vault!.seal(tenant, token, value) }))),
};

// One documents.ingest consumer per generation a tenant follows, each under its own group with
// its generation's model: a building generation replays the log from the start beside the live one.
const workers = createGenerationWorkers({
  source: generations,
  defaultGeneration,
  logger,
  start: async (generation, target) => {
    const embedder = await embedders.get({ provider: generation.provider, modelId: generation.modelId, dims: generation.dims });
    const rate = generation.maxDocsPerSecond;
    const chunkEmbed = createChunkEmbedWorker({
      embedder, generation: target, cache: caches.embeddings, published: caches.published, indexed: documents, documents, publisher, logger, pii,
      maxDocumentBytes: config.MAX_DOCUMENT_BYTES, partChunks: config.VECTORS_PART_CHUNKS, pace: rate ? createPacer(rate) : undefined,
    });
    const worker = createConsumerWorker({
      kafka, producer, serde, logger,
      topic: topics.documentsIngest,
      groupId: groupOf(generation.id),
      handler: chunkEmbed.handle,
      onDeadLetter: chunkEmbed.onDeadLetter,
      // Bytes that do not decode are the default generation's to dead-letter, once; a replay skips them.
      undecodable: generation.id === defaultGeneration.id ? 'dead-letter' : 'skip',
      // A throttled slice is about a second of documents, so pacing never holds a slice long.
      maxBatchMessages: rate ? Math.max(1, Math.min(config.CHUNK_EMBED_MAX_BATCH, rate)) : config.CHUNK_EMBED_MAX_BATCH,
      partitionsConsumedConcurrently: config.CHUNK_EMBED_PARTITIONS_CONCURRENCY,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      onCrash: () => process.exit(1),
    });
    await worker.start();
    return worker;
  },
});
const generationMetrics = createGenerationMetrics({ pool, generations, admin, groupOf, logger });

const health = await startHealthServer({
  port: config.METRICS_PORT,
  host: config.METRICS_HOST,
  metricsHandler: telemetry.metricsHandler,
  checks: {
    kafka: kafkaReady(admin),
    postgres: postgresReady(pool),
    consumer: () => workers.check(),
  },
  // Without Redis documents are embedded uncached; without the registry known schema ids still decode.
  degradable: { redis: redisReady(redis), registry: registryReady(config.SCHEMA_REGISTRY_URL) },
});
onShutdown({
  logger,
  closers: [
    { name: 'consumers', close: () => workers.stop() },
    { name: 'generation metrics', close: async () => generationMetrics.stop() },
    { name: 'producer', close: () => producer.disconnect() },
    { name: 'admin', close: () => admin.disconnect() },
    { name: 'health', close: () => new Promise((resolve) => health.close(resolve)) },
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: () => pool.end() },
    { name: 'embedders', close: () => embedders.close() },
    { name: 'telemetry', close: () => telemetry.shutdown() },
  ],
});
await whenAvailable('kafka', () => workers.start(), logger);
generationMetrics.start();
logger.info('chunk-embed started', { metrics: health.url, defaultGeneration: defaultGeneration.id, groupId: config.CHUNK_EMBED_GROUP_ID });
