import { createHash } from 'node:crypto';

/** Lowercase hex sha256 of a UTF-8 string: chunk ids and embedding-cache keys derive from it. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface ContentHashInput {
  /** Output of `normalizeContent`, so that cosmetic differences (CRLF, trailing spaces) hash alike. */
  readonly normalized: string;
  /** Chunking policy name: the same text chunked under another policy is another version. */
  readonly policy: string;
  /** Embedding model id (and version): a new model re-embeds even unchanged text. */
  readonly modelId: string;
}

/**
 * The document-level idempotency key: when it equals the indexed version's hash the event is
 * acknowledged without chunking or embedding. Parts are joined by NUL, which `normalizeContent`
 * strips from content and which policy names and model ids do not contain, so no two different
 * inputs share a preimage.
 */
export function contentHash({ normalized, policy, modelId }: ContentHashInput): string {
  return sha256Hex(['ragmesh-content-v1', policy, modelId, normalized].join('\u0000'));
}
