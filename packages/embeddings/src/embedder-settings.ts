import type { EmbedderConfig } from './create-embedder.js';

/** The EMBEDDINGS_* variables after a service's loadConfig validated them. */
export interface EmbeddingsSettings {
  EMBEDDINGS_PROVIDER: 'local' | 'openai' | 'hash';
  EMBEDDINGS_MODEL: string;
  EMBEDDINGS_DIMS: number;
  EMBEDDINGS_MODELS_DIR?: string | undefined;
  EMBEDDINGS_BASE_URL?: string | undefined;
  EMBEDDINGS_API_KEY?: string | undefined;
  EMBEDDINGS_BATCH_SIZE?: number | undefined;
  /** `hash` only: CPU ms burnt per text, a stand-in for a slow model in tests. */
  EMBEDDINGS_HASH_WORK_MS?: number | undefined;
}

/** Maps validated EMBEDDINGS_* settings to `createEmbedder` options; every service uses this one mapping. */
export function embedderConfigFromEnv(env: EmbeddingsSettings): EmbedderConfig {
  switch (env.EMBEDDINGS_PROVIDER) {
    case 'hash':
      return { provider: 'hash', dims: env.EMBEDDINGS_DIMS, workMsPerText: env.EMBEDDINGS_HASH_WORK_MS };
    case 'openai':
      return { provider: 'openai', baseUrl: env.EMBEDDINGS_BASE_URL ?? '', apiKey: env.EMBEDDINGS_API_KEY, model: env.EMBEDDINGS_MODEL, dims: env.EMBEDDINGS_DIMS, batchSize: env.EMBEDDINGS_BATCH_SIZE };
    case 'local':
      return { provider: 'local', modelId: env.EMBEDDINGS_MODEL, modelsDir: env.EMBEDDINGS_MODELS_DIR, batchSize: env.EMBEDDINGS_BATCH_SIZE };
  }
}
