import type { Embedder } from './embedder.js';
import { createHashEmbedder, type HashEmbedderOptions } from './hash-embedder.js';
import { defaultModelsDir, loadLocalEmbedder, localModelDir, type LoadLocalEmbedderOptions } from './load-local-embedder.js';
import { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder.js';

export type EmbeddingProvider = 'local' | 'openai' | 'hash';

export interface LocalEmbedderConfig extends Omit<LoadLocalEmbedderOptions, 'modelDir'> {
  provider: 'local';
  /** The model's own folder; wins over `modelsDir`. */
  modelDir?: string;
  /** Root holding one `<modelId>/` folder per model (models.sh's target); default `defaultModelsDir()`. */
  modelsDir?: string;
}
export interface OpenAiEmbedderConfig extends OpenAiEmbedderOptions {
  provider: 'openai';
}
export interface HashEmbedderConfig extends HashEmbedderOptions {
  provider: 'hash';
}
export type EmbedderConfig = LocalEmbedderConfig | OpenAiEmbedderConfig | HashEmbedderConfig;

/**
 * Builds the embedder a service's config asks for; the single place that maps a provider name
 * to an implementation. Async because `local` loads its model (and fails early if it cannot).
 * Takes plain values: the caller's loadConfig reads the environment.
 */
export async function createEmbedder(config: EmbedderConfig): Promise<Embedder> {
  switch (config.provider) {
    case 'hash':
      return createHashEmbedder(config);
    case 'openai':
      return createOpenAiEmbedder(config);
    case 'local': {
      const modelDir = config.modelDir ?? localModelDir(config.modelsDir ?? defaultModelsDir(), config.modelId);
      return loadLocalEmbedder({ ...config, modelDir });
    }
  }
}
