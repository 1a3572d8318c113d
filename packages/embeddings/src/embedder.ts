/** Identity of an embedding model; travels with every vector and is stored with it. */
export interface ModelInfo {
  /** Stable id, e.g. `all-MiniLM-L6-v2`, `bge-small-en-v1.5`, `hash-384`. */
  id: string;
  /** Version or digest of the weights, so a re-export of the same model is told apart. */
  version: string;
  dims: number;
  /** Longest input in tokens the model embeds; longer texts are truncated. */
  maxTokens: number;
}

/** Whether a text is a stored passage or a search query (some models prefix queries). */
export type EmbedKind = 'document' | 'query';

/**
 * The port every embedding provider implements (`local` ONNX, `openai` HTTP, `hash`).
 * Vectors are L2-normalized Float32Arrays of `model.dims` values, in input order.
 */
export interface Embedder {
  readonly model: ModelInfo;
  embed(texts: readonly string[], kind: EmbedKind): Promise<Float32Array[]>;
  /** Tokens the model's own tokenizer produces for `text` (special tokens excluded). */
  countTokens(text: string): number;
  close(): Promise<void>;
}
