import type { Piece } from './text-pieces.js';

/** Pieces `[from, to)` of one section that form one chunk. */
export type PieceSpan = readonly [from: number, to: number];

export interface SplitOptions {
  readonly pieces: readonly Piece[];
  /** Content tokens of pieces `[from, to)` (a lower bound: no title, overlap or joins). */
  readonly content: (from: number, to: number) => number;
  /** Token bounds of the chunk made of pieces `[from, to)`, title and overlap included. */
  readonly lower: (from: number, to: number) => number;
  readonly upper: (from: number, to: number) => number;
  readonly min: number;
  readonly max: number;
  /** Content tokens a chunk starting at boundary `at` needs to reach `min` (title, overlap aside). */
  readonly need: (at: number) => number;
}

const rankOf = (pieces: readonly Piece[], boundary: number): number => pieces[boundary - 1]?.cutScore ?? -1;

/**
 * Anchors: boundaries whose cut score beats every boundary closer than a chunk minimum, where
 * "closer" for a boundary `before` and a later one `after` means `content(before, after) <
 * need(before)`. Two anchors are therefore never closer than that, so chunks cut at any of them
 * reach `min`; and whether a boundary is an anchor depends only on text within about one minimum
 * of it (no chain reaction along the document).
 */
export function findAnchors({ pieces, content, need }: SplitOptions): number[] {
  const end = pieces.length;
  const eligible = (at: number): boolean =>
    rankOf(pieces, at) >= 0 && content(0, at) >= need(0) && content(at, end) >= need(at);
  const anchors: number[] = [];
  for (let at = 1; at < end; at += 1) {
    if (!eligible(at)) continue;
    const rank = rankOf(pieces, at);
    let beaten = false;
    // Looking back, a boundary is close while `content(other, at)` is under its own need; needs
    // vary by a few tokens (the overlap), so scan a little past the largest one.
    for (let other = at - 1; other > 0 && !beaten && content(other, at) < need(0); other -= 1) {
      beaten = content(other, at) < need(other) && eligible(other) && rankOf(pieces, other) >= rank;
    }
    for (let other = at + 1; other < end && !beaten && content(at, other) < need(at); other += 1) {
      beaten = eligible(other) && rankOf(pieces, other) > rank;
    }
    if (!beaten) anchors.push(at);
  }
  return anchors;
}

/**
 * The cut for an over-long span that holds no anchor: among boundaries that leave both sides at
 * least `min` tokens, the one with the highest cut score (paragraph ends, then sentence ends,
 * then word breaks, then the hash of the text before it). When no boundary satisfies both sides
 * the left side is kept full; cuts right after a heading come last.
 */
export function chooseCut(options: SplitOptions, [from, to]: PieceSpan): number {
  let best = from + Math.ceil((to - from) / 2);
  let bestRank = -Infinity;
  for (let at = from + 1; at < to; at += 1) {
    const score = rankOf(options.pieces, at);
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

function firstAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? Infinity) > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function bestAnchor(options: SplitOptions, anchors: readonly number[], [from, to]: PieceSpan): number | undefined {
  let best: number | undefined;
  let bestRank = -Infinity;
  for (let i = firstAbove(anchors, from); i < anchors.length && (anchors[i] ?? to) < to; i += 1) {
    const at = anchors[i] ?? to;
    const rank = rankOf(options.pieces, at);
    if (rank > bestRank) {
      bestRank = rank;
      best = at;
    }
  }
  return best;
}

/**
 * Cuts one section into chunks, top-down: a span over `max` is cut at its best anchor (or, when it
 * holds none, at `chooseCut`) and each side is treated the same way. Greedy left-to-right packing
 * would shift every later boundary after an edit. Here an anchor becomes a cut iff the span
 * between the nearest better anchors on either side is over `max`, which depends only on text
 * within about one chunk of it; so an edit moves only the boundaries next to it, and chunks
 * further away keep their exact text (and their embedding-cache entries).
 */
export function contentDefinedSplit(options: SplitOptions, span: PieceSpan): PieceSpan[] {
  const anchors = findAnchors(options);
  const spans: PieceSpan[] = [];
  const pending: PieceSpan[] = [span];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [from, to] = next;
    if (to - from <= 1 || options.upper(from, to) <= options.max) {
      spans.push(next);
      continue;
    }
    const at = bestAnchor(options, anchors, next) ?? chooseCut(options, next);
    pending.push([at, to], [from, at]);
  }
  return spans;
}
