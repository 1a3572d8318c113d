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
