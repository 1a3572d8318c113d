import type { TextRange } from './markdown-blocks.js';
import type { Piece } from './text-pieces.js';
import { joinTokens } from './token-budget.js';

/** Where a chunk starting at a boundary begins once the overlap is prepended, and its cost. */
export interface Overlap {
  readonly start: number;
  /** Tokens added to the chunk: lower bound and upper bound (with joins). */
  readonly lower: number;
  readonly upper: number;
}

export interface OverlapOptions {
  readonly text: string;
  /** One section's pieces: overlap never reaches across a heading into another section. */
  readonly pieces: readonly Piece[];
  readonly overlap: number;
  readonly tokensOf: (range: TextRange) => number;
}

/**
 * Overlap, per boundary: the whole trailing sentences before the boundary that fit in `overlap`
 * tokens; when even the last sentence is longer, its trailing words (as many as fit). It reads
 * only the text just before the boundary, never the previous chunk's start, so a boundary's
 * overlap stays the same whatever happens to chunks further back. A chunk's text is therefore the
 * contiguous slice from its overlap start to its end. Results are memoized per boundary.
 */
export function createOverlapFinder({ text, pieces, overlap, tokensOf }: OverlapOptions): (boundary: number) => Overlap {
  const memo = new Map<number, Overlap>();

  const trailingWords = (piece: Piece, none: Overlap): Overlap => {
    const words = [...text.slice(piece.start, piece.end).matchAll(/\S+/g)];
    let count = Math.min(words.length - 1, Math.floor((overlap * words.length) / Math.max(1, piece.tokens)));
    while (count > 0) {
      const first = words[words.length - count];
      if (first === undefined) break;
      const start = piece.start + first.index;
      const tokens = tokensOf({ start, end: piece.end });
      if (tokens <= overlap) return { start, lower: tokens, upper: tokens + joinTokens };
      count = Math.min(count - 1, Math.floor((count * overlap) / tokens));
    }
    return none;
  };

  const compute = (boundary: number): Overlap => {
    const first = pieces[boundary];
    const none: Overlap = { start: first?.start ?? 0, lower: 0, upper: 0 };
    if (boundary === 0 || overlap <= 0) return none;
    let from = boundary;
    let lower = 0;
    let upper = -joinTokens;
    for (let prev = pieces[from - 1]; prev !== undefined && !prev.heading; prev = pieces[from - 1]) {
      if (upper + joinTokens + prev.tokens > overlap) break;
      upper += joinTokens + prev.tokens;
      lower += prev.tokens;
      from -= 1;
    }
    if (from < boundary) return { start: pieces[from]?.start ?? none.start, lower, upper: upper + joinTokens };
    const last = pieces[boundary - 1];
    return last === undefined || last.heading ? none : trailingWords(last, none);
  };

  return (boundary) => {
    const cached = memo.get(boundary);
    if (cached !== undefined) return cached;
    const result = compute(boundary);
    memo.set(boundary, result);
    return result;
  };
}
