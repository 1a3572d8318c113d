import type { CountTokens } from './token-budget.js';

/** Tokens a tokenizer adds where two counted texts meet, by separator. */
export interface JoinCosts {
  /** Between sentences or words of a paragraph. */
  readonly space: number;
  /** Between lines of a code block. */
  readonly line: number;
  /** Between paragraphs, and after a heading or a title. */
  readonly block: number;
}

// Short and long, plain and punctuated: enough to catch a tokenizer that merges across a
// separator (BPE's `\n\n`) or rounds per text (a words × 1.3 estimate).
const probes: ReadonlyArray<readonly [string, string]> = [
  ['Yes.', 'No.'],
  ['See', 'below'],
  ['Run it.', 'Then check the logs.'],
  ['Install the package first.', 'Restart the service.'],
  ['Version 2.1 fixes the parser.', 'Upgrade before May!'],
  ['The cache keeps one vector per chunk text.', 'It is never recomputed.'],
];

function measure(countTokens: CountTokens, separator: string, base: number): number {
  let worst = 0;
  for (const [a, b] of probes) {
    worst = Math.max(worst, countTokens(`${a}${separator}${b}`) - countTokens(a) - countTokens(b) + base);
  }
  return Math.min(worst, 2);
}

/**
 * Measures, on fixed probe texts, how many tokens the model's tokenizer adds at each kind of
 * join: 0 for WordPiece, 0 at spaces and 1 at blank lines for BPE. Summing part counts plus these
 * costs is what lets the chunker count each sentence once instead of recounting every candidate
 * chunk. Fixed probes (not the document's own text) keep the costs, and so the chunks, from
 * depending on which document is being cut.
 */
export function measureJoinCosts(countTokens: CountTokens, base: number): JoinCosts {
  return {
    space: measure(countTokens, ' ', base),
    line: measure(countTokens, '\n', base),
    block: measure(countTokens, '\n\n', base),
  };
}
