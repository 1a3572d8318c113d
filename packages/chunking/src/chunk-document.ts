import { ChunkingError } from './chunking-error.js';
import { chooseCut, contentDefinedSplit, type PieceSpan, type SplitOptions } from './content-defined-split.js';
import { markdownSections, type Block, type TextRange } from './markdown-blocks.js';
import { createOverlapFinder } from './overlap.js';
import { capPolicy, getPolicy, type ChunkingPolicy } from './policies.js';
import { splitToFit } from './split-to-fit.js';
import { sectionPieces } from './text-pieces.js';
import { tokenBudget, type CountTokens, type TokenBudget } from './token-budget.js';

export interface Chunk {
  /** Position in the document, from 0. */
  readonly ordinal: number;
  /** What a user is shown: a contiguous slice of the normalized document, overlap included. */
  readonly text: string;
  /** What is embedded: the title, a blank line, then `text` (just `text` without a title). */
  readonly embedText: string;
  /** `countTokens(embedText)`. */
  readonly tokenCount: number;
}

export interface ChunkDocumentInput {
  /** Output of `normalizeContent`. */
  readonly text: string;
  readonly title?: string;
  /** A policy, or the name of one from `policies`. */
  readonly policy: ChunkingPolicy | string;
  /** The embedding model's tokenizer; called about once per sentence and once per chunk. */
  readonly countTokens: CountTokens;
  /** The embedding model's input limit; caps the policy's budgets (see `capPolicy`). */
  readonly maxTokens?: number;
}

interface SectionContext {
  readonly text: string;
  readonly budget: TokenBudget;
  readonly countTokens: CountTokens;
  readonly split: SplitOptions;
  readonly overlapStart: (boundary: number) => number;
  readonly chunks: Chunk[];
}

interface DocumentContext {
  readonly text: string;
  readonly budget: TokenBudget;
  readonly countTokens: CountTokens;
  readonly chunks: Chunk[];
  readonly tokensOf: (range: TextRange) => number;
  readonly segmenter: Intl.Segmenter;
}

// Chunk sizes as sums of piece counts (prefix sums: O(1) per candidate chunk).
function sectionContext(document: DocumentContext, blocks: readonly Block[]): SectionContext | undefined {
  const { text, budget, tokensOf, segmenter } = document;
  const pieces = sectionPieces(text, blocks, { tokensOf, pieceLimit: budget.pieceLimit, joins: budget.joins, segmenter });
  if (pieces.length === 0) return undefined;
  const overlapAt = createOverlapFinder({ text, pieces, overlap: budget.overlap, tokensOf });
  const tokenSums = [0];
  const joinSums = [0];
  for (const piece of pieces) {
    tokenSums.push((tokenSums.at(-1) ?? 0) + piece.tokens);
    joinSums.push((joinSums.at(-1) ?? 0) + piece.joinAfter);
  }
  const content = (from: number, to: number): number => (tokenSums[to] ?? 0) - (tokenSums[from] ?? 0);
  const joins = (from: number, to: number): number => (joinSums[to - 1] ?? 0) - (joinSums[from] ?? 0);
  const split: SplitOptions = {
    pieces,
    content,
    spacing: budget.min - budget.base - budget.titleLower,
    min: budget.min,
    max: budget.max,
    lower: (from, to) => budget.base + budget.titleLower + overlapAt(from).lower + content(from, to),
    upper: (from, to) => budget.base + budget.titleUpper + overlapAt(from).upper + content(from, to) + joins(from, to),
  };
  return { ...document, split, overlapStart: (at) => overlapAt(at).start };
}

function embedTextOf(title: string, text: string): string {
  return title === '' ? text : `${title}\n\n${text}`;
}

function push(context: SectionContext, { start, end }: TextRange): boolean {
  const text = context.text.slice(start, end);
  const embedText = embedTextOf(context.budget.title, text);
  const tokenCount = context.countTokens(embedText);
  if (tokenCount > context.budget.max) return false;
  context.chunks.push({ ordinal: context.chunks.length, text, embedText, tokenCount });
  return true;
}

// Estimates bound the real count for tokenizers that split on whitespace first (WordPiece, BPE).
// For any other, a chunk whose exact count is over max loses its overlap, then is cut again:
// nothing over max is ever returned.
function emit(context: SectionContext, [from, to]: PieceSpan): void {
  const { pieces } = context.split;
  const first = pieces[from];
  const last = pieces[to - 1];
  if (first === undefined || last === undefined) return;
  const withOverlap = { start: context.overlapStart(from), end: last.end };
  if (push(context, withOverlap)) return;
  if (withOverlap.start < first.start && push(context, { start: first.start, end: last.end })) return;
  if (to - from > 1) {
    const at = chooseCut(context.split, [from, to]);
    emit(context, [from, at]);
    emit(context, [at, to]);
    return;
  }
  const fits = (range: TextRange): boolean =>
    context.countTokens(embedTextOf(context.budget.title, context.text.slice(range.start, range.end))) <= context.budget.max;
  for (const range of splitToFit(context.text, first, fits)) {
    if (!push(context, range)) {
      throw new ChunkingError('BUDGET_TOO_SMALL', `a single character does not fit in ${context.budget.max} tokens`);
    }
  }
}

/**
 * Cuts a normalized document into chunks for embedding. Sections start at Markdown headings (the
 * heading stays with its section's first chunk); inside a section, cuts fall on paragraph ends,
 * else sentence ends, else (for a sentence longer than a chunk) between words. Every chunk's
 * `embedText` is within the policy's max tokens, and within its min unless the section ends
 * there. Boundaries are content-defined, so editing one paragraph changes only the chunks around
 * it and unchanged chunks keep their text (and embedding-cache hits). Same input, same chunks;
 * blank text gives no chunks.
 */
export function chunkDocument(input: ChunkDocumentInput): Chunk[] {
  const { text, countTokens } = input;
  if (text.trim() === '') return [];
  const policy = typeof input.policy === 'string' ? getPolicy(input.policy) : input.policy;
  const budget = tokenBudget({ policy: capPolicy(policy, input.maxTokens), title: input.title?.trim() ?? '', countTokens });
  const document: DocumentContext = {
    text,
    budget,
    countTokens,
    chunks: [],
    tokensOf: (range) => Math.max(0, countTokens(text.slice(range.start, range.end)) - budget.base),
    // A fixed locale keeps sentence boundaries, and so chunks, identical on every machine.
    segmenter: new Intl.Segmenter('en', { granularity: 'sentence' }),
  };
  for (const blocks of markdownSections(text)) {
    const section = sectionContext(document, blocks);
    if (section === undefined) continue;
    for (const span of contentDefinedSplit(section.split)) emit(section, span);
  }
  return document.chunks;
}
