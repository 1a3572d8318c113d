import type { TextRange } from './markdown-blocks.js';
import type { Piece } from './text-pieces.js';

/** Where a chunk starting at a boundary begins once the overlap is prepended, and its cost. */
export interface Overlap {
  readonly start: number;
  /** Tokens the overlap adds to the chunk: without and with the joins. */
  readonly lower: number;
  readonly upper: number;
}

export interface OverlapOptions {
  readonly text: string;
  /** One section's pieces: overlap never reaches back across the section's heading. */
  readonly pieces: readonly Piece[];
  readonly overlap: number;
  readonly tokensOf: (range: TextRange) => number;
}

/**
 * Overlap, per boundary: the whole trailing sentences before the boundary that fit in `overlap`
 * tokens; when even the last sentence is longer, as many of its trailing words as fit. It reads
 * only the text just before the boundary, never where the previous chunk starts, so a boundary's
 * overlap stays the same whatever happens to chunks further back, and a chunk's text is the
 * contiguous slice from its overlap start to its end. Results are memoized per boundary.
 */
export function createOverlapFinder({ text, pieces, overlap, tokensOf }: OverlapOptions): (boundary: number) => Overlap {
  const memo = new Map<number, Overlap>();

  const trailingWords = (range: TextRange, tokens: number, join: number): Overlap | undefined => {
    const words = [...text.slice(range.start, range.end).matchAll(/\S+/g)];
    let count = Math.min(words.length - 1, Math.floor((overlap * words.length) / Math.max(1, tokens)));
    while (count > 0) {
      const first = words[words.length - count];
      if (first === undefined) break;
      const start = range.start + first.index;
      const suffixTokens = tokensOf({ start, end: range.end });
      if (suffixTokens <= overlap) return { start, lower: suffixTokens, upper: suffixTokens + join };
      count = Math.min(count - 1, Math.floor((count * overlap) / suffixTokens));
    }
    return undefined;
  };

  const compute = (boundary: number): Overlap => {
    const none: Overlap = { start: pieces[boundary]?.start ?? 0, lower: 0, upper: 0 };
    const last = pieces[boundary - 1];
    if (overlap <= 0 || last === undefined || last.heading) return none;
    const join = last.joinAfter;
    let lower = 0;
    let upper = 0;
    let sentenceFrom: number | undefined;
    let found: Overlap | undefined;
    for (let at = boundary - 1; at >= 0; at -= 1) {
      const piece = pieces[at];
      if (piece === undefined || piece.heading) break;
      upper += piece.tokens + (at < boundary - 1 ? piece.joinAfter : 0);
      lower += piece.tokens;
      if (upper <= overlap && piece.sentenceStart) found = { start: piece.start, lower, upper: upper + join };
      if (sentenceFrom === undefined && piece.sentenceStart) sentenceFrom = at;
      if (upper > overlap && sentenceFrom !== undefined) break;
    }
    if (found !== undefined) return found;
    const first = pieces[sentenceFrom ?? boundary - 1] ?? last;
    return trailingWords({ start: first.start, end: last.end }, lower, join) ?? none;
  };

  return (boundary) => {
    const cached = memo.get(boundary);
    if (cached !== undefined) return cached;
    const result = compute(boundary);
    memo.set(boundary, result);
    return result;
  };
}
