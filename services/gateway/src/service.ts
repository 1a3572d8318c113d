import { startTelemetry } from '@ragmesh/telemetry/sdk';
import { embeddingModelId, kafkaClientOptions, loadOrExit } from '@ragmesh/config';
import { createSerde, topics } from '@ragmesh/contracts';
import { createPiiVault, createTenantRedactor, piiKeyFrom } from '@ragmesh/pii';
import { createApiKeyStore, createDocumentRequests, createGenerationStore, createPiiTokenStore, createPool, createTenantLimits, createTenantPolicies, migrate } from '@ragmesh/store';
import { createLogger } from '@ragmesh/telemetry';
import { createKafka, createProducer, createRequestReplyProducer, kafkaReady, observeReadiness, onShutdown, postgresReady, redisReady, registryReady, whenAvailable } from '@ragmesh/worker-runtime';
import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { createAnswerGenerator } from './answer-generator.js';
import { createActiveGenerations } from './active-generations.js';
import { createApp } from './app.js';
import { createRateLimits } from './rate-limits.js';
import { loadConfig } from './config.js';
import { createDocumentPublisher } from './document-publisher.js';
import { createQueryClient } from './query-client.js';
import { createQueryPii } from './query-pii.js';

const telemetry = startTelemetry({ service: 'gateway' });
const config = loadOrExit(() => loadConfig(), 'gateway');
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });

const pool = createPool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE, applicationName: 'ragmesh-gateway', onConnectionError: (error) => logger.warn('postgres connection lost; reconnecting on next use', { error: error.message }) });
await whenAvailable('postgres', () => migrate(pool), logger);
const generations = createGenerationStore(pool);
const defaultGeneration = await whenAvailable('postgres', () => generations.ensureDefault({ provider: config.EMBEDDINGS_PROVIDER, modelId: embeddingModelId(config), dims: config.EMBEDDINGS_DIMS }), logger);
const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-gateway'), logger });
const admin = kafka.admin();
await whenAvailable('kafka', () => admin.connect(), logger);
const serde = createSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topics: [topics.documentsIngest, topics.queriesRequest, topics.queriesResponse] });
await whenAvailable('the schema registry', () => serde.register(), logger);
const producer = await whenAvailable('kafka', () => createProducer(kafka), logger);
const queryProducer = await whenAvailable('kafka', () => createRequestReplyProducer(kafka), logger);
const queries = createQueryClient({
  kafka, serde, logger,
  producer: queryProducer,
  groupId: config.GATEWAY_REPLY_GROUP_ID,
  instanceId: config.GATEWAY_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
  timeoutMs: config.GATEWAY_QUERY_TIMEOUT_MS,
});
await whenAvailable('kafka', () => queries.start(), logger);
// No offline queue: while Redis is away a limit check fails at once and falls back to this
// instance's own in-memory budget.
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
redis.on('error', () => undefined); // reported by /readyz (degraded), not per reconnect attempt
const tenantLimits = createTenantLimits(pool);
const rateLimits = createRateLimits({
  redis, logger,
  limitsOf: (tenant) => tenantLimits.get(tenant),
  defaults: { queriesPerMinute: config.GATEWAY_QUERIES_PER_MINUTE, documentsPerMinute: config.GATEWAY_DOCUMENTS_PER_MINUTE, burst: config.GATEWAY_RATE_BURST ?? null },
});
const vault = config.PII_ENCRYPTION_KEY ? createPiiVault(piiKeyFrom(config.PII_ENCRYPTION_KEY)) : null;
const queryPii = createQueryPii({ vault, redactor: createTenantRedactor({ vault, policies: createTenantPolicies(pool) }), tokens: createPiiTokenStore(pool) });
const generator = config.LLM_BASE_URL ? createAnswerGenerator({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, model: config.LLM_MODEL }) : undefined;

const readiness = {
  checks: {
    kafka: kafkaReady(admin),
    postgres: postgresReady(pool),
    replies: () => {
      if (!queries.isReady()) throw new Error('no reply partition assigned yet');
    },
  },
  // Schemas are registered and cached at start: documents and queries keep flowing without it.
  // Without Redis each instance enforces rate limits on its own.
  degradable: { registry: registryReady(config.SCHEMA_REGISTRY_URL), redis: redisReady(redis) },
};
observeReadiness(readiness);
const app = createApp({
  keys: createApiKeyStore(pool),
  generations,
  publisher: createDocumentPublisher({ producer, serde, timeoutMs: config.GATEWAY_PUBLISH_TIMEOUT_MS }),
  requests: createDocumentRequests(pool),
  logger,
  generationFor: createActiveGenerations({ generations, defaultGeneration: defaultGeneration.id }),
  maxBatch: config.GATEWAY_MAX_BATCH,
  bodyLimit: config.GATEWAY_BODY_LIMIT,
  ...readiness,
  rateLimits,
  query: { ask: (query) => queries.ask(query), generator, pii: queryPii },
  redactRecord: (tenant, record) => queryPii.redactRecord(tenant, record),
  metricsHandler: telemetry.metricsHandler,
});
const server = app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST);
await new Promise<void>((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
});
onShutdown({
  logger,
  closers: [
    { name: 'http', close: () => new Promise((resolve) => server.close(resolve)) },
    { name: 'replies', close: () => queries.stop() },
    { name: 'producer', close: () => producer.disconnect() },
    { name: 'query producer', close: () => queryProducer.disconnect() },
    { name: 'admin', close: () => admin.disconnect() },
    { name: 'postgres', close: () => pool.end() },
    { name: 'redis', close: () => redis.quit() },
    { name: 'telemetry', close: () => telemetry.shutdown() },
  ],
});
logger.info('gateway listening', { url: `http://${config.GATEWAY_HOST}:${config.GATEWAY_PORT}` });
