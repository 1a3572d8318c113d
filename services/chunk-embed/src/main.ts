import { startTelemetry } from '@ragmesh/telemetry/sdk';
import { kafkaClientOptions, loadOrExit } from '@ragmesh/config';
import { createSerde, topics } from '@ragmesh/contracts';
import { createEmbedder, embedderConfigFromEnv } from '@ragmesh/embeddings';
import { createDocumentRequests, createPool, migrate } from '@ragmesh/store';
import { createLogger } from '@ragmesh/telemetry';
import { createKafka, createProducer, postgresReady, redisReady, runWorkerService } from '@ragmesh/worker-runtime';
import { Redis } from 'ioredis';
import { createChunkEmbedWorker } from './app.js';
import { loadConfig } from './config.js';
import { createRedisCaches } from './redis-caches.js';
import { createVectorPublisher } from './vector-publisher.js';

const telemetry = startTelemetry({ service: 'chunk-embed' });
const config = loadOrExit(() => loadConfig(), 'chunk-embed');
const logger = createLogger({ service: 'chunk-embed', level: config.LOG_LEVEL });

const embedder = await createEmbedder(embedderConfigFromEnv(config));
const pool = createPool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, applicationName: 'ragmesh-chunk-embed' });
await migrate(pool);
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false });
const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-chunk-embed'), logger });
const admin = kafka.admin();
await admin.connect();
const serde = createSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topics: [topics.documentsIngest, topics.vectorsUpsert] });
await serde.register();
const producer = await createProducer(kafka);
const caches = createRedisCaches(redis, { ttlSeconds: config.EMBEDDINGS_CACHE_TTL_SECONDS });
const documents = createDocumentRequests(pool);

const chunkEmbed = createChunkEmbedWorker({
  embedder,
  cache: caches.embeddings,
  published: caches.published,
  indexed: documents,
  documents,
  publisher: createVectorPublisher({ producer, serde }),
  logger,
  maxDocumentBytes: config.MAX_DOCUMENT_BYTES,
  partChunks: config.VECTORS_PART_CHUNKS,
});
await runWorkerService({
  service: 'chunk-embed',
  kafka, admin, producer, serde, logger,
  topic: topics.documentsIngest,
  groupId: config.CHUNK_EMBED_GROUP_ID,
  handler: chunkEmbed.handle,
  onDeadLetter: chunkEmbed.onDeadLetter,
  maxBatchMessages: config.CHUNK_EMBED_MAX_BATCH,
  partitionsConsumedConcurrently: config.CHUNK_EMBED_PARTITIONS_CONCURRENCY,
  sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
  registryUrl: config.SCHEMA_REGISTRY_URL,
  health: { port: config.METRICS_PORT, host: config.METRICS_HOST, checks: { postgres: postgresReady(pool), redis: redisReady(redis) } },
  metricsHandler: telemetry.metricsHandler,
  closers: [
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: () => pool.end() },
    { name: 'embedder', close: () => embedder.close() },
    { name: 'telemetry', close: () => telemetry.shutdown() },
  ],
});
