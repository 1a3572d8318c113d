import type { Block, TextRange } from './markdown-blocks.js';
import { splitToFit } from './split-to-fit.js';

/** How strong a cut after a piece is; headings never end a chunk. */
export const cutLevels = { none: -1, word: 0, sentence: 1, paragraph: 2 } as const;
export type CutLevel = (typeof cutLevels)[keyof typeof cutLevels];

/** The unit the chunker packs: a sentence, a code line, a heading, or part of an over-long one. */
export interface Piece extends TextRange {
  /** Tokens of the piece alone, without the tokenizer's fixed overhead (see `TokenBudget.base`). */
  readonly tokens: number;
  readonly heading: boolean;
  /**
   * Preference for cutting right after this piece: the cut level, then a hash of the piece's own
   * text. It depends on nothing but that text, which is what keeps boundaries stable under edits
   * elsewhere. -1 where no cut is allowed.
   */
  readonly cutScore: number;
}

export interface PieceOptions {
  /** Token count of a piece, overhead excluded. */
  readonly tokensOf: (range: TextRange) => number;
  /** Pieces longer than this are halved by words, so any chunk can reach its minimum. */
  readonly pieceLimit: number;
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

/** Breaks one section's blocks into pieces, each short enough to sit in a chunk with others. */
export function sectionPieces(text: string, blocks: readonly Block[], options: PieceOptions): Piece[] {
  const pieces: Piece[] = [];
  for (const block of blocks) {
    const units = blockUnits(text, block, options.segmenter);
    units.forEach((unit, unitIndex) => {
      const level: CutLevel =
        block.kind === 'heading' ? cutLevels.none : unitIndex === units.length - 1 ? cutLevels.paragraph : cutLevels.sentence;
      const counts = new Map<string, number>();
      const tokensOf = (range: TextRange): number => {
        const key = `${range.start}:${range.end}`;
        const count = counts.get(key) ?? options.tokensOf(range);
        counts.set(key, count);
        return count;
      };
      const parts = splitToFit(text, unit, (range) => tokensOf(range) <= options.pieceLimit);
      parts.forEach((part, partIndex) => {
        const partLevel = partIndex === parts.length - 1 ? level : cutLevels.word;
        pieces.push({
          ...part,
          tokens: tokensOf(part),
          heading: block.kind === 'heading',
          cutScore: partLevel === cutLevels.none ? -1 : partLevel * 2 ** 32 + fnv1a(text.slice(part.start, part.end)),
        });
      });
    });
  }
  return pieces;
}
