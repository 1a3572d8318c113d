export { ConfigError, parseEnv, loadOrExit } from './parse-env.js';
export {
  kafkaEnv,
  registryEnv,
  databaseEnv,
  redisEnv,
  piiEnv,
  logEnv,
  port,
  kafkaClientOptions,
  checkSasl,
  vectorIndexEnv,
  checkVectorIndex,
  embeddingsEnv,
  embeddingModelId,
  checkEmbeddings,
  type EmbeddingsEnv,
  type KafkaEnv,
} from './env-schemas.js';
