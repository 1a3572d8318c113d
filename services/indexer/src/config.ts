import { checkSasl, checkVectorIndex, databaseEnv, kafkaEnv, logEnv, parseEnv, port, registryEnv, vectorIndexEnv } from '@ragmesh/config';
import { z } from 'zod';

const schema = z
  .object({
    ...kafkaEnv,
    ...registryEnv,
    ...databaseEnv,
    ...logEnv,
    ...vectorIndexEnv,
    METRICS_PORT: port(9102),
    METRICS_HOST: z.string().default('0.0.0.0'),
    INDEXER_GROUP_ID: z.string().min(1).default('ragmesh-indexer'),
    INDEXER_MAX_BATCH: z.coerce.number().int().min(1).max(5000).default(256),
    INDEXER_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(6),
  })
  .superRefine(checkSasl)
  .superRefine(checkVectorIndex);

export type IndexerConfig = z.infer<typeof schema>;

/** The indexer's configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): IndexerConfig {
  return parseEnv(schema, env);
}
