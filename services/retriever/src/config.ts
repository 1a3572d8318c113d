import { checkEmbeddings, checkSasl, databaseEnv, embeddingsEnv, kafkaEnv, logEnv, parseEnv, port, redisEnv, registryEnv } from '@ragmesh/config';
import { z } from 'zod';

const schema = z
  .object({
    ...kafkaEnv,
    ...registryEnv,
    ...databaseEnv,
    ...redisEnv,
    ...logEnv,
    ...embeddingsEnv,
    METRICS_PORT: port(9103),
    METRICS_HOST: z.string().default('0.0.0.0'),
    RETRIEVER_GROUP_ID: z.string().min(1).default('ragmesh-retriever'),
    RETRIEVER_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
    RETRIEVER_REPLY_TOPICS: z
      .string()
      .default('queries.response')
      .transform((v) => v.split(',').map((t) => t.trim()).filter(Boolean)),
    RETRIEVER_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(64),
    // Hybrid legs on two connections at once: lower latency on an idle database, more CPU per query.
    RETRIEVER_PARALLEL_LEGS: z.stringbool().default(false),
    // Most rows the sparse leg reads and scores per query (see matchTerms).
    RETRIEVER_SPARSE_CANDIDATES: z.coerce.number().int().min(10).max(100_000).default(1000),
    // The dense leg's lowest hnsw.ef_search: recall of the HNSW index against Postgres CPU per query.
    RETRIEVER_HNSW_EF_SEARCH: z.coerce.number().int().min(1).max(1000).default(40),
    RESULT_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
    EMBEDDINGS_BATCH_SIZE: z.coerce.number().int().min(1).max(2048).default(32),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(8),
  })
  .superRefine(checkSasl)
  .superRefine(checkEmbeddings);

export type RetrieverConfig = z.infer<typeof schema>;

/** The retriever's configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): RetrieverConfig {
  return parseEnv(schema, env);
}
