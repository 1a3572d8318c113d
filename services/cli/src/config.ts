import { checkSasl, checkVectorIndex, databaseEnv, kafkaEnv, logEnv, parseEnv, redisEnv, registryEnv, vectorIndexEnv } from '@ragmesh/config';
import { z } from 'zod';

const schema = z
  .object({
    ...kafkaEnv,
    ...registryEnv,
    ...databaseEnv,
    ...redisEnv,
    ...logEnv,
    ...vectorIndexEnv,
    RAGMESH_GATEWAY_URL: z.url().default('http://127.0.0.1:8080'),
    RAGMESH_API_KEY: z.string().optional(),
    TOPIC_PARTITIONS_INGEST: z.coerce.number().int().min(1).max(1000).default(6),
    TOPIC_PARTITIONS_QUERIES: z.coerce.number().int().min(1).max(1000).default(3),
    TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
    /** The workers' groups, as the services are configured: re-index progress is their lag. */
    CHUNK_EMBED_GROUP_ID: z.string().min(1).default('ragmesh-chunk-embed'),
    INDEXER_GROUP_ID: z.string().min(1).default('ragmesh-indexer'),
    RETRIEVER_GROUP_ID: z.string().min(1).default('ragmesh-retriever'),
    GATEWAY_REPLY_GROUP_ID: z.string().min(1).default('ragmesh-gateway-replies'),
  })
  .superRefine(checkSasl)
  .superRefine(checkVectorIndex);

export type CliConfig = z.infer<typeof schema>;

/** The CLI's configuration from the environment. */
export function loadConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  return parseEnv(schema, env);
}
