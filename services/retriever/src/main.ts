import { startTelemetry } from '@ragmesh/telemetry/sdk';
import { kafkaClientOptions, loadOrExit } from '@ragmesh/config';
import { createSerde, topics } from '@ragmesh/contracts';
import { createEmbedder, embedderConfigFromEnv } from '@ragmesh/embeddings';
import { createSearcher } from '@ragmesh/retrieval';
import { corpusVersion, createPool, migrate } from '@ragmesh/store';
import { createLogger } from '@ragmesh/telemetry';
import { createKafka, createProducer, createRequestReplyProducer, postgresReady, redisReady, runWorkerService } from '@ragmesh/worker-runtime';
import { Redis } from 'ioredis';
import { createRetriever } from './app.js';
import { loadConfig } from './config.js';
import { createQueryCaches } from './query-caches.js';
import { createReplyPublisher } from './reply-publisher.js';

const telemetry = startTelemetry({ service: 'retriever' });
const config = loadOrExit(() => loadConfig(), 'retriever');
const logger = createLogger({ service: 'retriever', level: config.LOG_LEVEL });

const embedder = await createEmbedder(embedderConfigFromEnv(config));
const pool = createPool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, applicationName: 'ragmesh-retriever' });
await migrate(pool);
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-retriever'), logger });
const admin = kafka.admin();
await admin.connect();
const serde = createSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topics: [topics.queriesRequest, topics.queriesResponse] });
await serde.register();
const producer = await createProducer(kafka);
const replyProducer = await createRequestReplyProducer(kafka);

const retriever = createRetriever({
  searcher: createSearcher({ pool }),
  caches: createQueryCaches(redis, { resultTtlSeconds: config.RESULT_CACHE_TTL_SECONDS, cacheQueryVectors: config.EMBEDDINGS_PROVIDER !== 'hash' }),
  corpusVersion: (tenant) => corpusVersion(pool, tenant),
  embedQuery: async (text) => (await embedder.embed([text], 'query'))[0]!,
  publisher: createReplyPublisher({ producer: replyProducer, serde }),
  model: { id: embedder.model.id, version: embedder.model.version, dims: embedder.model.dims },
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
  health: { port: config.METRICS_PORT, host: config.METRICS_HOST, checks: { postgres: postgresReady(pool), redis: redisReady(redis) } },
  metricsHandler: telemetry.metricsHandler,
  closers: [
    { name: 'reply producer', close: () => replyProducer.disconnect() },
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: () => pool.end() },
    { name: 'embedder', close: () => embedder.close() },
    { name: 'telemetry', close: () => telemetry.shutdown() },
  ],
});
