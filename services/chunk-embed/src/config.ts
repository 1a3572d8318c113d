import { checkEmbeddings, checkSasl, databaseEnv, embeddingsEnv, kafkaEnv, logEnv, parseEnv, piiEnv, port, redisEnv, registryEnv } from '@ragmesh/config';
import { z } from 'zod';

const schema = z
  .object({
    ...kafkaEnv,
    ...registryEnv,
    ...databaseEnv,
    ...redisEnv,
    ...piiEnv,
    ...logEnv,
    ...embeddingsEnv,
    METRICS_PORT: port(9101),
    METRICS_HOST: z.string().default('0.0.0.0'),
    CHUNK_EMBED_GROUP_ID: z.string().min(1).default('ragmesh-chunk-embed'),
    CHUNK_EMBED_MAX_BATCH: z.coerce.number().int().min(1).max(5000).default(128),
    CHUNK_EMBED_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    EMBEDDINGS_BATCH_SIZE: z.coerce.number().int().min(1).max(2048).default(32),
    EMBEDDINGS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(30 * 24 * 3600),
    MAX_DOCUMENT_BYTES: z.coerce.number().int().min(1).default(10 * 1024 * 1024),
    VECTORS_PART_CHUNKS: z.coerce.number().int().min(1).max(10_000).default(100),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
  })
  .superRefine(checkSasl)
  .superRefine(checkEmbeddings);

export type ChunkEmbedConfig = z.infer<typeof schema>;

/** The chunk/embed worker's configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ChunkEmbedConfig {
  return parseEnv(schema, env);
}
