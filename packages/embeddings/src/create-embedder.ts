import type { Embedder } from './embedder.js';
import { createHashEmbedder, type HashEmbedderOptions } from './hash-embedder.js';
import { defaultModelsDir, loadLocalEmbedder, localModelDir, type LoadLocalEmbedderOptions } from './load-local-embedder.js';
import { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder.js';

export type EmbeddingProvider = 'local' | 'openai' | 'hash';

/** `local`: give `modelDir` (the model's own folder) or `modelsDir` (the root holding `<modelId>/`). */
export type LocalEmbedderConfig = { provider: 'local'; modelsDir?: string } & Omit<LoadLocalEmbedderOptions, 'modelDir'> & {
    modelDir?: string;
  };
export type OpenAiEmbedderConfig = { provider: 'openai' } & OpenAiEmbedderOptions;
export type HashEmbedderConfig = { provider: 'hash' } & HashEmbedderOptions;
export type EmbedderConfig = LocalEmbedderConfig | OpenAiEmbedderConfig | HashEmbedderConfig;

/**
 * Builds the embedder a service's config asks for; the single place that maps a provider name
 * to an implementation. Async because `local` loads its model (and fails early if it cannot).
 * Takes plain values: the caller's loadConfig reads the environment.
 */
export async function createEmbedder(config: EmbedderConfig): Promise<Embedder> {
  switch (config.provider) {
    case 'hash': {
      const { provider: _provider, ...options } = config;
      return createHashEmbedder(options);
    }
    case 'openai': {
      const { provider: _provider, ...options } = config;
      return createOpenAiEmbedder(options);
    }
    case 'local': {
      const { provider: _provider, modelsDir, modelDir, ...options } = config;
      return loadLocalEmbedder({ ...options, modelDir: modelDir ?? localModelDir(modelsDir ?? defaultModelsDir(), options.modelId) });
    }
  }
}
