export type { Embedder, EmbedKind, ModelInfo } from './embedder.js';
export { EmbeddingError, embeddingErrorCodes, type EmbeddingErrorCode, type EmbeddingErrorOptions } from './embedding-error.js';
export {
  createEmbedder,
  type EmbedderConfig,
  type EmbeddingProvider,
  type HashEmbedderConfig,
  type LocalEmbedderConfig,
  type OpenAiEmbedderConfig,
} from './create-embedder.js';
export { createHashEmbedder, wordTokens, type HashEmbedderOptions } from './hash-embedder.js';
export { createOpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder.js';
export { createLocalEmbedder, type LocalEmbedderDeps, type OnnxSession } from './local-embedder.js';
export { loadLocalEmbedder, loadLocalTokenCounter, defaultModelsDir, localModelDir, type LoadLocalEmbedderOptions } from './load-local-embedder.js';
export { createThreadedEmbedder } from './threaded-embedder.js';
export { localModels, isLocalModelId, type LocalModelId, type LocalModelSpec, type Pooling } from './local-models.js';
export { createBertTokenizer, type ModelTokenizer } from './bert-tokenizer.js';
export { parseRetryAfter } from './retry-after.js';
export { l2Normalize, cosineSimilarity } from './vector.js';
export type { EmbeddingsSettings } from './embedder-settings.js';
export { createEmbedderPool, type EmbedderPool, type EmbedderSpec } from './embedder-pool.js';
