import { checkEmbeddings, checkSasl, databaseEnv, embeddingsEnv, kafkaEnv, logEnv, parseEnv, piiEnv, port, redisEnv, registryEnv } from '@ragmesh/config';
import { z } from 'zod';

const byteSize = z
  .string()
  .regex(/^\d+(b|kb|mb|gb)?$/i, 'expected a size such as 10mb, 512kb or 1048576')
  .default('10mb');

const schema = z
  .object({
    ...kafkaEnv,
    ...registryEnv,
    ...databaseEnv,
    ...redisEnv,
    ...piiEnv,
    ...logEnv,
    ...embeddingsEnv,
    GATEWAY_HOST: z.string().default('0.0.0.0'),
    GATEWAY_PORT: port(8080),
    GATEWAY_BODY_LIMIT: byteSize,
    GATEWAY_MAX_BATCH: z.coerce.number().int().min(1).max(100_000).default(500),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    GATEWAY_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
    /** How long a POST /v1/documents waits for Kafka to take its events before answering 503. */
    GATEWAY_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
    GATEWAY_REPLY_GROUP_ID: z.string().min(1).default('ragmesh-gateway-replies'),
    GATEWAY_INSTANCE_ID: z.string().min(1).optional(),
    /** Rate limits of a tenant without its own (pnpm ragmesh tenants set-limits). Burst: a minute's worth unless set. */
    GATEWAY_QUERIES_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    GATEWAY_DOCUMENTS_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
    GATEWAY_RATE_BURST: z.coerce.number().int().min(1).optional(),
    LLM_BASE_URL: z.url().optional(),
    LLM_API_KEY: z.string().optional(),
    LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  })
  .superRefine(checkSasl)
  .superRefine(checkEmbeddings);

export type GatewayConfig = z.infer<typeof schema>;

/** The gateway's configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return parseEnv(schema, env);
}
