import type { Piece } from './text-pieces.js';

/** Pieces `[from, to)` of one section that form one chunk. */
export type PieceSpan = readonly [from: number, to: number];

export interface SplitOptions {
  readonly pieces: readonly Piece[];
  /** Token bounds of the chunk made of pieces `[from, to)`, title and overlap included. */
  readonly lower: (from: number, to: number) => number;
  readonly upper: (from: number, to: number) => number;
  readonly min: number;
  readonly max: number;
}

/**
 * The cut for an over-long span: among boundaries that leave both sides at least `min` tokens,
 * the one with the highest cut score (paragraph ends before sentence ends before word breaks,
 * then the hash of the text before the boundary). Spans where no boundary satisfies both sides
 * fall back to keeping the left side full, then to any boundary; cuts after a heading come last.
 */
export function chooseCut(options: SplitOptions, [from, to]: PieceSpan): number {
  let best = from + Math.ceil((to - from) / 2);
  let bestRank = -Infinity;
  for (let at = from + 1; at < to; at += 1) {
    const score = options.pieces[at - 1]?.cutScore ?? -1;
    const leftFull = options.lower(from, at) >= options.min;
    const rightFull = options.lower(at, to) >= options.min;
    const tier = score < 0 ? 0 : leftFull && rightFull ? 3 : leftFull ? 2 : 1;
    const rank = tier * 2 ** 36 + score;
    if (rank > bestRank) {
      bestRank = rank;
      best = at;
    }
  }
  return best;
}

/**
 * Cuts one section into chunks, top-down: a span over `max` is cut at `chooseCut` and each side
 * is treated the same way. Greedy left-to-right packing would shift every later boundary after an
 * edit; here a boundary exists iff its score beats every boundary between it and the nearest
 * higher-scored cut and that span is too long, which depends only on text within about one
 * chunk of it. An edit therefore moves at most the boundaries next to it, and the chunks beyond
 * keep their exact text. A span of one piece is returned as is (`pieceLimit` makes it fit).
 */
export function contentDefinedSplit(options: SplitOptions, span: PieceSpan): PieceSpan[] {
  const spans: PieceSpan[] = [];
  const pending: PieceSpan[] = [span];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [from, to] = next;
    if (to - from <= 1 || options.upper(from, to) <= options.max) {
      spans.push(next);
      continue;
    }
    const at = chooseCut(options, next);
    pending.push([at, to], [from, at]);
  }
  return spans;
}
