import type { EmbeddingsEnv } from '@ragmesh/config';
import type { EmbedderConfig } from '@ragmesh/embeddings';

/** Maps the validated EMBEDDINGS_* variables to the embeddings package's factory options. */
export function embedderConfig(env: EmbeddingsEnv & { EMBEDDINGS_BATCH_SIZE: number }): EmbedderConfig {
  switch (env.EMBEDDINGS_PROVIDER) {
    case 'hash':
      return { provider: 'hash', dims: env.EMBEDDINGS_DIMS };
    case 'openai':
      return { provider: 'openai', baseUrl: env.EMBEDDINGS_BASE_URL ?? '', apiKey: env.EMBEDDINGS_API_KEY, model: env.EMBEDDINGS_MODEL, dims: env.EMBEDDINGS_DIMS, batchSize: env.EMBEDDINGS_BATCH_SIZE };
    case 'local':
      return { provider: 'local', modelId: env.EMBEDDINGS_MODEL, modelsDir: env.EMBEDDINGS_MODELS_DIR, batchSize: env.EMBEDDINGS_BATCH_SIZE };
  }
}
