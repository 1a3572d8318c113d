import { ChunkingError } from './chunking-error.js';
import type { ChunkingPolicy } from './policies.js';

/** The embedding model's tokenizer: tokens of a text as the model would see it. */
export type CountTokens = (text: string) => number;

/**
 * Tokens charged for gluing two counted texts together (a space or a blank line). Summing the
 * counts of parts is what keeps the chunker linear; WordPiece adds nothing at a join and BPE at
 * most one token (`\n\n`), so sums plus one per join bound the real count from above, and sums
 * alone bound it from below. The final count of each chunk is exact.
 */
export const joinTokens = 1;

export interface TokenBudget {
  readonly min: number;
  readonly max: number;
  readonly overlap: number;
  /** `countTokens('')`: overhead such as [CLS]/[SEP] that a text pays once, not once per part. */
  readonly base: number;
  readonly title: string;
  /** Title tokens without overhead (lower bound) and with the blank line after it (upper bound). */
  readonly titleLower: number;
  readonly titleUpper: number;
  /** Longest piece (sentence) kept whole; see `tokenBudget`. */
  readonly pieceLimit: number;
}

const minContentTokens = 16;

export interface TokenBudgetInput {
  readonly policy: ChunkingPolicy;
  readonly title: string;
  readonly countTokens: CountTokens;
}

/**
 * Resolves what one document's chunks may spend. `pieceLimit` is the room left beside the title
 * and a full overlap once a chunk holds its minimum, so a chunk below its minimum can always take
 * the next piece: only sentences longer than that (about 100 words under `default`) are split.
 */
export function tokenBudget({ policy, title, countTokens }: TokenBudgetInput): TokenBudget {
  const base = Math.max(0, countTokens(''));
  const titleLower = title === '' ? 0 : Math.max(0, countTokens(title) - base);
  const titleUpper = title === '' ? 0 : titleLower + joinTokens;
  const overlapReserve = policy.overlapTokens > 0 ? policy.overlapTokens + joinTokens : 0;
  const contentMax = policy.maxTokens - base - titleUpper - overlapReserve;
  if (contentMax < minContentTokens) {
    throw new ChunkingError(
      'BUDGET_TOO_SMALL',
      `policy "${policy.name}" allows ${policy.maxTokens} tokens; the title and overlap leave ${contentMax} for content`,
    );
  }
  const firstChunkMin = Math.max(0, policy.minTokens - base - titleLower);
  const pieceLimit = Math.max(Math.floor(contentMax / 4), contentMax - firstChunkMin);
  return {
    min: policy.minTokens,
    max: policy.maxTokens,
    overlap: policy.overlapTokens,
    base,
    title,
    titleLower,
    titleUpper,
    pieceLimit,
  };
}
