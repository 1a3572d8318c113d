import { cutScore, type Piece } from './text-pieces.js';

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

const rankOf = cutScore;

/**
 * Anchors: boundaries whose cut score beats every boundary closer than a chunk minimum, where
 * "closer" for a boundary `before` and a later one `after` means `content(before, after) <
 * need(before)`. Two anchors are therefore never closer than that, so chunks cut at any of them
 * reach `min`; and whether a boundary is an anchor depends only on text within about one minimum
 * of it (no chain reaction along the document).
 */
export function findAnchors({ pieces, content, need }: SplitOptions, [from, to]: PieceSpan): number[] {
  const eligible = (at: number): boolean =>
    rankOf(pieces, at) >= 0 && content(from, at) >= need(from) && content(at, to) >= need(at);
  const anchors: number[] = [];
  for (let at = from + 1; at < to; at += 1) {
    if (!eligible(at)) continue;
    const rank = rankOf(pieces, at);
    let beaten = false;
    // Looking back, a boundary is close while `content(other, at)` is under its own need; needs
    // vary by a few tokens (the overlap), so scan a little past the largest one.
    for (let other = at - 1; other > from && !beaten && content(other, at) < need(0); other -= 1) {
      beaten = content(other, at) < need(other) && eligible(other) && rankOf(pieces, other) >= rank;
    }
    for (let other = at + 1; other < to && !beaten && content(at, other) < need(at); other += 1) {
      beaten = eligible(other) && rankOf(pieces, other) > rank;
    }
    if (!beaten) anchors.push(at);
  }
  return anchors;
}

/**
 * The cut for a span over `max` that holds no anchor: the best-scored boundary (paragraph ends,
 * then sentence ends, then word breaks, then by hash) among those that leave both sides within
 * `min` and `max`; failing that, both sides at least `min`; then the left side full; cuts right
 * after a heading come last. The choice reads only the span, so it moves only with the span.
 */
export function chooseCut(options: SplitOptions, [from, to]: PieceSpan): number {
  let best = from + Math.ceil((to - from) / 2);
  let bestRank = -Infinity;
  for (let at = from + 1; at < to; at += 1) {
    const score = rankOf(options.pieces, at);
    const leftFull = options.lower(from, at) >= options.min;
    const rightFull = options.lower(at, to) >= options.min;
    const fits = options.upper(from, at) <= options.max && options.upper(at, to) <= options.max;
    const tier = score < 0 ? 0 : leftFull && rightFull ? (fits ? 4 : 3) : leftFull ? 2 : 1;
    const rank = tier * 2 ** 36 + score;
    if (rank > bestRank) {
      bestRank = rank;
      best = at;
    }
  }
  return best;
}

/**
 * Cuts one section into chunks. Every anchor is a cut; a span between anchors that is over
 * `max` is cut again at `chooseCut`, as often as needed. Greedy left-to-right packing would shift
 * every boundary after an edit; here an edit can only move anchors within about one chunk
 * minimum of it and re-cut the spans that touch them, so the rest of the document keeps its
 * exact chunk texts (and their embedding-cache entries).
 */
export function contentDefinedSplit(options: SplitOptions, span: PieceSpan): PieceSpan[] {
  const spans: PieceSpan[] = [];
  const cuts = [span[0], ...findAnchors(options, span), span[1]];
  const pending: PieceSpan[] = [];
  for (let i = cuts.length - 1; i > 0; i -= 1) pending.push([cuts[i - 1] ?? span[0], cuts[i] ?? span[1]]);
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
