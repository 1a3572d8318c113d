import { createEmbedder, type EmbeddingProvider } from './create-embedder.js';
import type { Embedder } from './embedder.js';
import type { EmbeddingsSettings } from './embedder-settings.js';
import { createHashEmbedder } from './hash-embedder.js';
import { defaultModelsDir, loadLocalTokenCounter, localModelDir } from './load-local-embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { isLocalModelId, localModels } from './local-models.js';
import { createThreadedEmbedder } from './threaded-embedder.js';

/** The model an index generation names: enough to build its embedder. */
export interface EmbedderSpec {
  provider: EmbeddingProvider;
  modelId: string;
  dims: number;
}

/**
 * Embedders by model, each built (and, for `local`, loaded) once however many generations or
 * queries ask for it: a service serving several index generations holds each model once. The
 * connection settings (models folder, OpenAI-compatible URL and key, batch size) come from the
 * service's EMBEDDINGS_* variables; the model comes from the generation. CPU-bound models (`local`,
 * and `hash` when told to burn CPU) run in a worker thread of their own, so a long model call
 * never stops the process's event loop (Kafka heartbeats, HTTP, database replies).
 */
export function createEmbedderPool(settings: Omit<EmbeddingsSettings, 'EMBEDDINGS_PROVIDER' | 'EMBEDDINGS_MODEL' | 'EMBEDDINGS_DIMS'>) {
  const embedders = new Map<string, Promise<Embedder>>();

  function build(spec: EmbedderSpec): Promise<Embedder> {
    switch (spec.provider) {
      case 'hash': {
        const workMsPerText = settings.EMBEDDINGS_HASH_WORK_MS ?? 0;
        if (workMsPerText === 0) return createEmbedder({ provider: 'hash', dims: spec.dims });
        return createThreadedEmbedder({ config: { provider: 'hash', dims: spec.dims, workMsPerText }, countTokens: createHashEmbedder({ dims: spec.dims }).countTokens });
      }
      case 'openai':
        return createEmbedder({
          provider: 'openai', baseUrl: settings.EMBEDDINGS_BASE_URL ?? '', apiKey: settings.EMBEDDINGS_API_KEY, model: spec.modelId, dims: spec.dims, batchSize: settings.EMBEDDINGS_BATCH_SIZE,
        });
      case 'local':
        return buildLocal(spec.modelId);
    }
  }

  async function buildLocal(modelId: string): Promise<Embedder> {
    if (!isLocalModelId(modelId)) throw new EmbeddingError('INVALID_CONFIG', `unknown local model '${modelId}'; supported: ${Object.keys(localModels).join(', ')}`);
    const modelsDir = settings.EMBEDDINGS_MODELS_DIR ?? defaultModelsDir();
    const countTokens = await loadLocalTokenCounter({ modelDir: localModelDir(modelsDir, modelId) });
    return createThreadedEmbedder({ config: { provider: 'local', modelId, modelsDir, batchSize: settings.EMBEDDINGS_BATCH_SIZE }, countTokens });
  }

  return {
    /** The embedder of `spec`, loading it on first use; a load that failed is tried again next time. */
    get(spec: EmbedderSpec): Promise<Embedder> {
      const key = `${spec.provider}\u0000${spec.modelId}\u0000${spec.dims}`;
      let embedder = embedders.get(key);
      if (!embedder) {
        embedder = build(spec);
        embedders.set(key, embedder);
        embedder.catch(() => embedders.delete(key));
      }
      return embedder;
    },
    async close(): Promise<void> {
      const all = await Promise.allSettled([...embedders.values()]);
      await Promise.all(all.flatMap((r) => (r.status === 'fulfilled' ? [r.value.close()] : [])));
    },
  };
}

export type EmbedderPool = ReturnType<typeof createEmbedderPool>;
