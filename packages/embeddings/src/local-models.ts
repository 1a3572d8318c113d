/** How token vectors become one text vector. */
export type Pooling = 'mean' | 'cls';

export interface LocalModelSpec {
  dims: number;
  /**
   * Longest sequence the model was trained on, special tokens included (sentence-transformers'
   * `max_seq_length`): 256 for all-MiniLM-L6-v2 although its BERT has 512 positions.
   */
  maxSequenceLength: number;
  pooling: Pooling;
  /** Prepended to texts embedded as `query` (bge's retrieval instruction); empty when none. */
  queryPrefix: string;
}

const miniLm: LocalModelSpec = { dims: 384, maxSequenceLength: 256, pooling: 'mean', queryPrefix: '' };
const bgeSmall: LocalModelSpec = {
  dims: 384,
  maxSequenceLength: 512,
  pooling: 'cls',
  queryPrefix: 'Represent this sentence for searching relevant passages: ',
};

/**
 * The ONNX models `loadLocalEmbedder` supports, by the folder name deploy/local/models.sh gives
 * them. `-q` are langchain4j's int8-quantized exports: faster, slightly different vectors, so
 * they are distinct model ids and never share an index with the fp32 ones.
 */
export const localModels = {
  'all-MiniLM-L6-v2': miniLm,
  'all-MiniLM-L6-v2-q': miniLm,
  'bge-small-en-v1.5': bgeSmall,
  'bge-small-en-v1.5-q': bgeSmall,
} as const satisfies Record<string, LocalModelSpec>;

export type LocalModelId = keyof typeof localModels;

/** Whether `id` names a model `loadLocalEmbedder` can run. */
export function isLocalModelId(id: string): id is LocalModelId {
  return Object.hasOwn(localModels, id);
}
