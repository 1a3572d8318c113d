import { ChunkingError } from './chunking-error.js';
import { measureJoinCosts, type JoinCosts } from './join-costs.js';
import type { ChunkingPolicy } from './policies.js';

/** The embedding model's tokenizer: tokens of a text as the model would see it. */
export type CountTokens = (text: string) => number;

// Slack for the paragraph joins and overlap shortfalls that `pieceLimit` does not see.
const windowSlack = 8;

export interface TokenBudget {
  readonly min: number;
  readonly max: number;
  readonly overlap: number;
  /** `countTokens('')`: overhead such as [CLS]/[SEP] that a text pays once, not once per part. */
  readonly base: number;
  /**
   * Chunk sizes are estimated as the sum of their sentences' counts plus these join costs (an
   * upper bound), or without them (a lower bound); each chunk's final count is exact.
   */
  readonly joins: JoinCosts;
  readonly title: string;
  /** Title tokens without overhead (lower bound) and with the blank line after it (upper bound). */
  readonly titleLower: number;
  readonly titleUpper: number;
  /** Longest piece (sentence, code line) kept whole; see `tokenBudget`. */
  readonly pieceLimit: number;
}

const minContentTokens = 16;

export interface TokenBudgetInput {
  readonly policy: ChunkingPolicy;
  readonly title: string;
  readonly countTokens: CountTokens;
}

/**
 * Resolves what one document's chunks may spend. A span just over `max` must be cut where both
 * sides reach `min` and stay under `max`; that window is about `max - 2 * (min - overlap)` tokens
 * wide (minus title and overlap reserve), and `pieceLimit` is its width less some slack, so such a
 * cut always exists. Longer sentences are halved by words; cuts still prefer sentence ends. Under
 * `default` that is about 65 tokens; `faq` (150–300) leaves only ~20, so long FAQ sentences are
 * cut in runs of words, yet a chunk ends mid-sentence only when nothing else fits.
 */
export function tokenBudget({ policy, title, countTokens }: TokenBudgetInput): TokenBudget {
  const base = Math.max(0, countTokens(''));
  const joins = measureJoinCosts(countTokens, base);
  const titleLower = title === '' ? 0 : Math.max(0, countTokens(title) - base);
  const titleUpper = title === '' ? 0 : titleLower + joins.block;
  const overlapReserve = policy.overlapTokens > 0 ? policy.overlapTokens + joins.block : 0;
  const contentMax = policy.maxTokens - base - titleUpper - overlapReserve;
  if (contentMax < minContentTokens) {
    throw new ChunkingError(
      'BUDGET_TOO_SMALL',
      `policy "${policy.name}" allows ${policy.maxTokens} tokens; the title and overlap leave ${contentMax} for content`,
    );
  }
  const firstNeed = Math.max(0, policy.minTokens - base - titleLower);
  const laterNeed = Math.max(0, firstNeed - policy.overlapTokens);
  const window = contentMax - 2 * laterNeed - windowSlack;
  const pieceLimit = Math.max(8, Math.min(window, contentMax - firstNeed));
  return {
    min: policy.minTokens,
    max: policy.maxTokens,
    overlap: policy.overlapTokens,
    base,
    joins,
    title,
    titleLower,
    titleUpper,
    pieceLimit,
  };
}
