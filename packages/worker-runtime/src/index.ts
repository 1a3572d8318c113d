export {
  createConsumerWorker,
  type ConsumerWorker,
  type ConsumerWorkerOptions,
  type WorkerMessage,
  type BatchHandler,
  type HandlerContext,
} from './consumer-worker.js';
export { createKafka, createProducer, createRequestReplyProducer, type KafkaClientOptions } from './kafka-client.js';
export { meshTopics, ensureTopics, reconcileTopicConfigs, compactedLogConfigs, type TopicSpec, type TopicChange, type PartitionCounts } from './topic-specs.js';
export { observeReadiness, readinessReport, startHealthServer, type HealthServerOptions, type ReadinessCheck } from './health-server.js';
export { onShutdown, type ShutdownOptions } from './shutdown.js';
export { deadLetterRecord, dlqHeaders } from './dead-letter.js';
export { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.js';
export { WorkerError, isRetriable, isInfrastructureError, configurationProblem, errorCode, workerErrorCodes, type WorkerErrorCode } from './worker-error.js';
export { kafkaReady, registryReady, postgresReady, redisReady } from './readiness-checks.js';
export { runWorkerService, type WorkerServiceOptions } from './worker-service.js';
export { consumerLag } from './consumer-lag.js';
export { createFailSoft } from './fail-soft.js';
export { whenAvailable } from './when-available.js';
