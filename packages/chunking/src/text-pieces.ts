import type { JoinCosts } from './join-costs.js';
import type { Block, TextRange } from './markdown-blocks.js';
import { splitToFit } from './split-to-fit.js';

/** How strong a cut after a piece is; headings never end a chunk. */
export const cutLevels = { none: -1, word: 0, sentence: 1, paragraph: 2 } as const;
export type CutLevel = (typeof cutLevels)[keyof typeof cutLevels];

/** The unit the chunker packs: a sentence, a code line, a heading, or a run of words of one. */
export interface Piece extends TextRange {
  /** Tokens of the piece alone, without the tokenizer's fixed overhead (see `TokenBudget.base`). */
  readonly tokens: number;
  readonly heading: boolean;
  /** Whether the piece starts a sentence (or a line, or a block) rather than continuing one. */
  readonly sentenceStart: boolean;
  /** How strong a cut right after this piece is. */
  readonly cutAfter: CutLevel;
  /** Tokens the tokenizer may add where this piece meets the next (see `JoinCosts`). */
  readonly joinAfter: number;
  /** Hash of the piece's first words: the content fingerprint of a cut right before it. */
  readonly lead: number;
}

export interface PieceOptions {
  /** Token count of a piece, overhead excluded. */
  readonly tokensOf: (range: TextRange) => number;
  /** Longer sentences are halved by words until they fit (see `tokenBudget`). */
  readonly pieceLimit: number;
  readonly joins: JoinCosts;
  readonly segmenter: Intl.Segmenter;
}

/** 32-bit FNV-1a: cheap, stable across runs and platforms, and good enough to pick cut points. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// Like the small rolling window of classic content-defined chunking: only an edit to the first
// words after a boundary changes its score, so appending a sentence to a paragraph or rewording
// the middle of one leaves the scores of the paragraph boundaries unchanged.
const leadWordCount = 3;

function leadingWords(text: string): string {
  return text.split(/\s+/, leadWordCount).join(' ');
}

/**
 * Preference for cutting at a boundary (before piece `at`): the level of the cut (paragraph end
 * over sentence end over a word break), then the fingerprint of the text right after it. -1 where
 * no cut is allowed (after a heading, or at the section's ends).
 */
export function cutScore(pieces: readonly Piece[], at: number): number {
  const before = pieces[at - 1];
  const after = pieces[at];
  if (before === undefined || after === undefined || before.cutAfter === cutLevels.none) return -1;
  return before.cutAfter * 2 ** 32 + after.lead;
}

function trimRange(text: string, start: number, end: number): TextRange | undefined {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s] ?? '')) s += 1;
  while (e > s && /\s/.test(text[e - 1] ?? '')) e -= 1;
  return s < e ? { start: s, end: e } : undefined;
}

function sentenceRanges(text: string, block: Block, segmenter: Intl.Segmenter): TextRange[] {
  const ranges: TextRange[] = [];
  for (const { index, segment } of segmenter.segment(text.slice(block.start, block.end))) {
    const range = trimRange(text, block.start + index, block.start + index + segment.length);
    if (range !== undefined) ranges.push(range);
  }
  return ranges;
}

function lineRanges(text: string, block: Block): TextRange[] {
  const ranges: TextRange[] = [];
  let start = block.start;
  for (const line of text.slice(block.start, block.end).split('\n')) {
    const end = start + line.trimEnd().length;
    if (end > start) ranges.push({ start, end });
    start += line.length + 1;
  }
  return ranges;
}

function blockUnits(text: string, block: Block, segmenter: Intl.Segmenter): TextRange[] {
  switch (block.kind) {
    case 'heading':
      return [block];
    case 'code':
      // Sentence rules mangle code; a line is its natural unit.
      return lineRanges(text, block);
    case 'paragraph':
      return sentenceRanges(text, block, segmenter);
  }
}

function unitCut(block: Block, last: boolean, joins: JoinCosts): { cutAfter: CutLevel; joinAfter: number } {
  if (block.kind === 'heading') return { cutAfter: cutLevels.none, joinAfter: joins.block };
  if (last) return { cutAfter: cutLevels.paragraph, joinAfter: joins.block };
  return { cutAfter: cutLevels.sentence, joinAfter: block.kind === 'code' ? joins.line : joins.space };
}

/** Breaks one section's blocks into pieces, each short enough to sit in a chunk with others. */
export function sectionPieces(text: string, blocks: readonly Block[], options: PieceOptions): Piece[] {
  const pieces: Piece[] = [];
  for (const block of blocks) {
    const units = blockUnits(text, block, options.segmenter);
    units.forEach((unit, unitIndex) => {
      const counts = new Map<string, number>();
      const tokensOf = (range: TextRange): number => {
        const key = `${range.start}:${range.end}`;
        const count = counts.get(key) ?? options.tokensOf(range);
        counts.set(key, count);
        return count;
      };
      const cut = unitCut(block, unitIndex === units.length - 1, options.joins);
      const parts = splitToFit(text, unit, (range) => tokensOf(range) <= options.pieceLimit);
      parts.forEach((part, partIndex) => {
        const last = partIndex === parts.length - 1;
        pieces.push({
          ...part,
          tokens: tokensOf(part),
          heading: block.kind === 'heading',
          sentenceStart: partIndex === 0,
          cutAfter: last ? cut.cutAfter : cutLevels.word,
          joinAfter: last ? cut.joinAfter : options.joins.space,
          lead: fnv1a(leadingWords(text.slice(part.start, part.end))),
        });
      });
    });
  }
  return pieces;
}
