import { startTelemetry } from '@ragmesh/telemetry/sdk';
import { embeddingModelId, kafkaClientOptions, loadOrExit } from '@ragmesh/config';
import { createSerde, topics } from '@ragmesh/contracts';
import { createEmbedderPool } from '@ragmesh/embeddings';
import { createSearcher } from '@ragmesh/retrieval';
import { corpusVersion, createGenerationStore, createPool, migrate } from '@ragmesh/store';
import { createLogger } from '@ragmesh/telemetry';
import { createKafka, createProducer, createRequestReplyProducer, postgresReady, redisReady, runWorkerService, whenAvailable } from '@ragmesh/worker-runtime';
import { Redis } from 'ioredis';
import { createRetriever } from './app.js';
import { createGenerationResolver, toSearch } from './generation-resolver.js';
import { loadConfig } from './config.js';
import { createQueryCaches } from './query-caches.js';
import { createReplyPublisher } from './reply-publisher.js';

const telemetry = startTelemetry({ service: 'retriever' });
const config = loadOrExit(() => loadConfig(), 'retriever');
const logger = createLogger({ service: 'retriever', level: config.LOG_LEVEL });

const embedders = createEmbedderPool(config);
// Loaded before the service reports ready: the default model answers most tenants' first queries.
await embedders.get({ provider: config.EMBEDDINGS_PROVIDER, modelId: config.EMBEDDINGS_MODEL, dims: config.EMBEDDINGS_DIMS });
const pool = createPool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, applicationName: 'ragmesh-retriever', onConnectionError: (error) => logger.warn('postgres connection lost; reconnecting on next use', { error: error.message }) });
await whenAvailable('postgres', () => migrate(pool), logger);
const generations = createGenerationStore(pool);
// Read-only: the writers create the default generation. Before any has, a tenant without a
// generation has nothing indexed, and generation 0 (none) answers that with no hits.
const defaultSpec = { provider: config.EMBEDDINGS_PROVIDER, modelId: embeddingModelId(config), dims: config.EMBEDDINGS_DIMS };
const foundDefault = await whenAvailable('postgres', () => generations.findDefault(defaultSpec), logger);
const defaultGeneration = foundDefault ? toSearch(foundDefault) : { id: 0, provider: defaultSpec.provider, model: { id: defaultSpec.modelId, dims: defaultSpec.dims } };
// No offline queue: while Redis is away a cache call fails at once and the query goes on uncached.
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-retriever'), logger });
const admin = kafka.admin();
await whenAvailable('kafka', () => admin.connect(), logger);
const serde = createSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topics: [topics.queriesRequest, topics.queriesResponse] });
await whenAvailable('the schema registry', () => serde.register(), logger);
const producer = await whenAvailable('kafka', () => createProducer(kafka), logger);
const replyProducer = await whenAvailable('kafka', () => createRequestReplyProducer(kafka), logger);

const retriever = createRetriever({
  searcher: createSearcher({ pool, parallelLegs: config.RETRIEVER_PARALLEL_LEGS, maxSparseCandidates: config.RETRIEVER_SPARSE_CANDIDATES, minEfSearch: config.RETRIEVER_HNSW_EF_SEARCH }),
  caches: createQueryCaches(redis, { resultTtlSeconds: config.RESULT_CACHE_TTL_SECONDS, cacheQueryVectors: config.EMBEDDINGS_PROVIDER !== 'hash', logger }),
  corpusVersion: (tenant) => corpusVersion(pool, tenant),
  generationFor: createGenerationResolver({ generations, defaultGeneration }).generationFor,
  embedQuery: async (generation, text) => {
    const embedder = await embedders.get({ provider: generation.provider, modelId: generation.model.id, dims: generation.model.dims });
    return (await embedder.embed([text], 'query'))[0]!;
  },
  publisher: createReplyPublisher({ producer: replyProducer, serde }),
  replyTopics: config.RETRIEVER_REPLY_TOPICS,
  maxInFlight: config.RETRIEVER_MAX_IN_FLIGHT,
  logger,
});
await runWorkerService({
  service: 'retriever',
  kafka, admin, producer, serde, logger,
  topic: topics.queriesRequest,
  groupId: config.RETRIEVER_GROUP_ID,
  handler: retriever.handle,
  drain: retriever.drain,
  partitionsConsumedConcurrently: config.RETRIEVER_PARTITIONS_CONCURRENCY,
  // Nobody waits for a reply to an old request: a new group starts at the end of the topic.
  fromBeginning: false,
  // A replayed request is answered again, or skipped past its deadline: no per-slice commit.
  commitIntervalMs: 1_000,
  sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
  registryUrl: config.SCHEMA_REGISTRY_URL,
  health: { port: config.METRICS_PORT, host: config.METRICS_HOST, checks: { postgres: postgresReady(pool) }, degradable: { redis: redisReady(redis) } },
  metricsHandler: telemetry.metricsHandler,
  closers: [
    { name: 'reply producer', close: () => replyProducer.disconnect() },
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: () => pool.end() },
    { name: 'embedders', close: () => embedders.close() },
    { name: 'telemetry', close: () => telemetry.shutdown() },
  ],
});
