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
  /**
   * Least content between two anchors: what a chunk needs to reach `min` with no overlap to
   * help, so that any chunk cut at anchors reaches it. Measured on content alone (not on the
   * overlap, which varies with the text before a boundary) to keep anchors independent of it.
   */
  readonly spacing: number;
}

/**
 * Anchors: the boundaries of a section whose cut score beats every other boundary less than
 * `spacing` content tokens away; boundaries within `spacing` of the section's ends do not
 * compete. Anchors are thus at least `spacing` apart, so chunks cut at anchors reach `min`; and
 * whether a boundary is an anchor depends only on the text within `spacing` of it, so an edit
 * cannot set off a chain reaction along the document.
 */
export function findAnchors({ pieces, content, spacing }: SplitOptions): number[] {
  const end = pieces.length;
  const eligible = (at: number): boolean =>
    cutScore(pieces, at) >= 0 && content(0, at) >= spacing && content(at, end) >= spacing;
  const anchors: number[] = [];
  for (let at = 1; at < end; at += 1) {
    if (!eligible(at)) continue;
    const rank = cutScore(pieces, at);
    let beaten = false;
    // Ties go to the earlier boundary.
    for (let other = at - 1; other > 0 && !beaten && content(other, at) < spacing; other -= 1) {
      beaten = eligible(other) && cutScore(pieces, other) >= rank;
    }
    for (let other = at + 1; other < end && !beaten && content(at, other) < spacing; other += 1) {
      beaten = eligible(other) && cutScore(pieces, other) > rank;
    }
    if (!beaten) anchors.push(at);
  }
  return anchors;
}

/**
 * The cut for a span over `max` that holds no anchor: the best-scored boundary (paragraph ends,
 * then sentence ends, then word breaks, then by hash) in the first non-empty tier of: both sides
 * within `min`..`max`; one side within them and the other at least `min` (a longer span is
 * peeled one chunk at a time, so it gets no more chunks than it needs); both sides at least
 * `min`; the left side at least `min`; any boundary, cuts right after a heading last. The choice
 * reads only the span, so it moves only when the span does.
 */
export function chooseCut(options: SplitOptions, [from, to]: PieceSpan): number {
  const { lower, upper, min, max } = options;
  let best = from + Math.ceil((to - from) / 2);
  let bestRank = -Infinity;
  for (let at = from + 1; at < to; at += 1) {
    const score = cutScore(options.pieces, at);
    const leftFull = lower(from, at) >= min;
    const rightFull = lower(at, to) >= min;
    const leftFits = leftFull && upper(from, at) <= max;
    const rightFits = rightFull && upper(at, to) <= max;
    let tier = 0;
    if (score >= 0) {
      if (leftFits && rightFits) tier = 5;
      else if (leftFull && rightFull) tier = leftFits || rightFits ? 4 : 3;
      else tier = leftFull ? 2 : 1;
    }
    const rank = tier * 2 ** 36 + score;
    if (rank > bestRank) {
      bestRank = rank;
      best = at;
    }
  }
  return best;
}

/**
 * Cuts one section into chunks: at every anchor, then, inside any span between anchors that is
 * still over `max`, at `chooseCut`, as often as needed. Greedy left-to-right packing would shift
 * every later boundary after an edit. Here an edit can only move anchors within about one chunk
 * minimum of it and re-cut the spans touching them; the rest of the document keeps its exact
 * chunk texts (and their embedding-cache entries).
 */
export function contentDefinedSplit(options: SplitOptions): PieceSpan[] {
  const spans: PieceSpan[] = [];
  const cuts = [0, ...findAnchors(options), options.pieces.length];
  const pending: PieceSpan[] = [];
  for (let i = cuts.length - 1; i > 0; i -= 1) pending.push([cuts[i - 1] ?? 0, cuts[i] ?? 0]);
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
