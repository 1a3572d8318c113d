import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

const brokerList = z
  .string()
  .min(1)
  .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
  .refine((list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
    message: 'expected a comma-separated list of host:port',
  });

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL (${protocols.join(', ')})` },
  );

/** Kafka connection variables shared by every service (TLS and SASL optional). */
export const kafkaEnv = {
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_SSL: z.stringbool().default(false),
  /** PEM file of the CA that signed the brokers' certificates, when it is not a public one; implies TLS. */
  KAFKA_SSL_CA_FILE: z.string().min(1).refine((file) => existsSync(file), { message: 'no such file' }).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** How long the group waits for a silent consumer before handing its partitions to others. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300000).default(30000),
};

/** Schema registry variable (Confluent-compatible API root). */
export const registryEnv = {
  SCHEMA_REGISTRY_URL: url(['http:', 'https:']).default('http://127.0.0.1:8081/apis/ccompat/v7'),
};

export const databaseEnv = {
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://ragmesh:ragmesh@127.0.0.1:5432/ragmesh'),
};

/** The secret behind PII tokens and the sealed token map: 32 random bytes in base64 (`openssl rand -base64 32`). */
export const piiEnv = {
  PII_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, { message: 'expected 32 bytes in base64 (openssl rand -base64 32)' })
    .optional(),
};

export const redisEnv = {
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379/0'),
};

export const logEnv = {
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
};

/** A TCP port variable with a default, e.g. `port(9101)`. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);


export type KafkaEnv = z.infer<z.ZodObject<typeof kafkaEnv>>;

/** Kafka client options derived from the validated variables; refuses SASL without credentials. */
export function kafkaClientOptions(env: KafkaEnv, clientId: string) {
  const sasl =
    env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD
      ? { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD }
      : undefined;
  const ssl = env.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(env.KAFKA_SSL_CA_FILE, 'utf8')] } : env.KAFKA_SSL;
  return { brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? clientId, ssl, sasl };
}

/** Cross-field rule: SASL needs a username and a password. Apply with `.superRefine`. */
export function checkSasl(env: Partial<KafkaEnv>, ctx: z.RefinementCtx): void {
  if (!env.KAFKA_SASL_MECHANISM) return;
  for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
    if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: `required when KAFKA_SASL_MECHANISM is set` });
  }
}

/**
 * The HNSW graph of the vector indexes this process builds (the indexer for new generations, the
 * CLI at a re-index cutover): pgvector's `m` and `ef_construction`. A denser graph finds more of
 * the true nearest neighbours at a given hnsw.ef_search, for a longer build and a larger index.
 */
export const vectorIndexEnv = {
  VECTOR_INDEX_M: z.coerce.number().int().min(2).max(100).default(16),
  VECTOR_INDEX_EF_CONSTRUCTION: z.coerce.number().int().min(4).max(1000).default(64),
};

/** The graph parameters of a parsed configuration, in the shape the store's index builder takes. */
export function vectorIndexGraph(env: { VECTOR_INDEX_M: number; VECTOR_INDEX_EF_CONSTRUCTION: number }): { m: number; efConstruction: number } {
  return { m: env.VECTOR_INDEX_M, efConstruction: env.VECTOR_INDEX_EF_CONSTRUCTION };
}

/** Cross-field rule of pgvector: ef_construction at least twice m. Apply with `.superRefine`. */
export function checkVectorIndex(env: { VECTOR_INDEX_M: number; VECTOR_INDEX_EF_CONSTRUCTION: number }, ctx: z.RefinementCtx): void {
  if (env.VECTOR_INDEX_EF_CONSTRUCTION < 2 * env.VECTOR_INDEX_M) {
    ctx.addIssue({ code: 'custom', path: ['VECTOR_INDEX_EF_CONSTRUCTION'], message: `must be at least twice VECTOR_INDEX_M (${2 * env.VECTOR_INDEX_M})` });
  }
}

/** Embedding provider variables, shared by the chunk/embed worker, the retriever and the gateway. */
export const embeddingsEnv = {
  EMBEDDINGS_PROVIDER: z.enum(['local', 'openai', 'hash']).default('local'),
  EMBEDDINGS_MODEL: z.string().min(1).default('all-MiniLM-L6-v2'),
  EMBEDDINGS_DIMS: z.coerce.number().int().min(8).max(16000).default(384),
  EMBEDDINGS_MODELS_DIR: z.string().min(1).optional(),
  EMBEDDINGS_BASE_URL: url(['http:', 'https:']).optional(),
  EMBEDDINGS_API_KEY: z.string().optional(),
  /** Test knob: CPU ms the `hash` provider burns per text, to stand in for a slow model. */
  EMBEDDINGS_HASH_WORK_MS: z.coerce.number().int().min(0).max(60_000).default(0),
};

export type EmbeddingsEnv = z.infer<z.ZodObject<typeof embeddingsEnv>>;

/**
 * The model id vectors are stored under for a configuration, known without loading the model
 * (the gateway needs it for content hashes).
 */
export function embeddingModelId(env: Pick<EmbeddingsEnv, 'EMBEDDINGS_PROVIDER' | 'EMBEDDINGS_MODEL' | 'EMBEDDINGS_DIMS'>): string {
  return env.EMBEDDINGS_PROVIDER === 'hash' ? `hash-${env.EMBEDDINGS_DIMS}` : env.EMBEDDINGS_MODEL;
}

/** Cross-field rule: the openai provider needs a base URL. Apply with `.superRefine`. */
export function checkEmbeddings(env: Partial<EmbeddingsEnv>, ctx: z.RefinementCtx): void {
  if (env.EMBEDDINGS_PROVIDER === 'openai' && !env.EMBEDDINGS_BASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['EMBEDDINGS_BASE_URL'], message: 'required when EMBEDDINGS_PROVIDER=openai' });
  }
}
