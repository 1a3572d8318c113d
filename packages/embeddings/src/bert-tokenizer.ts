import { Tokenizer } from '@huggingface/tokenizers';
import { EmbeddingError } from './embedding-error.js';

/** The tokenizer port the local embedder needs: WordPiece ids plus the BERT special tokens. */
export interface ModelTokenizer {
  /** Token ids of `text` without special tokens. */
  encode(text: string): number[];
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
}

/**
 * Wraps a Hugging Face `tokenizer.json` (+ `tokenizer_config.json`) of a BERT-style model with
 * the pure-JS tokenizers.js. Truncation and padding settings inside tokenizer.json are ignored
 * (the all-MiniLM export pins both to 128): the embedder truncates to the model's own limit.
 */
export function createBertTokenizer(tokenizerJson: object, tokenizerConfig: object = {}): ModelTokenizer {
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  const special = (token: string): number => {
    const id = tokenizer.token_to_id(token);
    if (id === undefined) throw new EmbeddingError('MODEL_LOAD_FAILED', `tokenizer has no ${token} token`);
    return id;
  };
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    clsId: special('[CLS]'),
    sepId: special('[SEP]'),
    padId: special('[PAD]'),
  };
}
