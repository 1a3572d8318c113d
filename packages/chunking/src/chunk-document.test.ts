import { describe, expect, it } from 'vitest';
import { renderDocument, scaledWordTokens, subwordTokens, syntheticDocument } from '../test/synthetic-document.js';
import { chunkDocument, type Chunk } from './chunk-document.js';
import { ChunkingError } from './chunking-error.js';
import { policies, type PolicyName } from './policies.js';

const longDocument = renderDocument(syntheticDocument(7, 160));

/** The chunk is the last of its section: the next one starts a new section (or there is none). */
function endsSection(chunks: readonly Chunk[], index: number): boolean {
  const next = chunks[index + 1];
  return next === undefined || next.text.startsWith('#');
}

function overlapOf(text: string, previous: Chunk, next: Chunk): string {
  const previousEnd = text.indexOf(previous.text) + previous.text.length;
  return text.slice(text.indexOf(next.text), previousEnd);
}

describe('chunkDocument', () => {
  it('returns no chunks for empty or blank text', () => {
    expect(chunkDocument({ text: '', policy: 'default', countTokens: subwordTokens })).toEqual([]);
    expect(chunkDocument({ text: ' \n\n\t ', policy: 'default', countTokens: subwordTokens })).toEqual([]);
  });

  it('keeps a short document whole, with the title in embedText only', () => {
    const chunks = chunkDocument({ text: 'One sentence. Two sentences.', title: 'Notes', policy: 'default', countTokens: subwordTokens });
    expect(chunks).toEqual([
      { ordinal: 0, text: 'One sentence. Two sentences.', embedText: 'Notes\n\nOne sentence. Two sentences.', tokenCount: 10 },
    ]);
  });

  it.each(['default', 'faq', 'procedural'] as const)('respects the %s budgets on a long document', (name: PolicyName) => {
    const { minTokens, maxTokens } = policies[name];
    const title = 'Operations runbook';
    const chunks = chunkDocument({ text: longDocument, title, policy: name, countTokens: subwordTokens });
    expect(chunks.length).toBeGreaterThan(10);
    chunks.forEach((chunk, index) => {
      expect(chunk.ordinal).toBe(index);
      expect(chunk.embedText).toBe(`${title}\n\n${chunk.text}`);
      expect(chunk.tokenCount).toBe(subwordTokens(chunk.embedText));
      expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
      if (!endsSection(chunks, index)) expect(chunk.tokenCount).toBeGreaterThanOrEqual(minTokens);
      expect(longDocument).toContain(chunk.text);
    });
  });

  it('loses no text: every sentence of the document is in a chunk', () => {
    const chunks = chunkDocument({ text: longDocument, policy: 'default', countTokens: subwordTokens });
    const sentences = longDocument.split(/(?<=[.?!])\s+|\n\n/).filter((s) => s !== '');
    const missing = sentences.filter((sentence) => !chunks.some((chunk) => chunk.text.includes(sentence)));
    expect(missing).toEqual([]);
  });

  it('starts every chunk after the first of a section with the tail of the previous chunk', () => {
    const chunks = chunkDocument({ text: longDocument, policy: 'default', countTokens: subwordTokens });
    let overlaps = 0;
    chunks.forEach((chunk, index) => {
      const previous = chunks[index - 1];
      if (previous === undefined || chunk.text.startsWith('#')) return;
      const overlap = overlapOf(longDocument, previous, chunk);
      expect(overlap.length).toBeGreaterThan(0);
      expect(previous.text.endsWith(overlap)).toBe(true);
      expect(subwordTokens(overlap)).toBeLessThanOrEqual(policies.default.overlapTokens);
      expect(chunk.text.startsWith(overlap)).toBe(true);
      overlaps += 1;
    });
    expect(overlaps).toBeGreaterThan(chunks.length / 2);
  });

  it('starts a chunk at every heading, keeps the heading with its text, never crosses a section', () => {
    const text = renderDocument(syntheticDocument(3, 60));
    const headings = text.split('\n').filter((line) => line.startsWith('## '));
    const chunks = chunkDocument({ text, policy: 'default', countTokens: subwordTokens });
    const opening = chunks.filter((chunk) => chunk.text.startsWith('## '));
    expect(headings.length).toBeGreaterThan(3);
    expect(opening.map((chunk) => chunk.text.split('\n')[0])).toEqual(headings);
    for (const chunk of chunks) expect(chunk.text.slice(1)).not.toMatch(/^## /m);
    for (const chunk of opening) expect(chunk.text.split('\n\n').length).toBeGreaterThan(1);
  });

  it('hard-splits an over-long sentence by words, within budget, losing no word', () => {
    const words = Array.from({ length: 900 }, (_, i) => `word${i}`);
    const text = `Intro sentence here.\n\n${words.join(' ')}`;
    const chunks = chunkDocument({ text, policy: 'default', countTokens: subwordTokens });
    expect(chunks.length).toBeGreaterThan(4);
    chunks.forEach((chunk, index) => {
      expect(chunk.tokenCount).toBeLessThanOrEqual(256);
      if (index < chunks.length - 1) expect(chunk.tokenCount).toBeGreaterThanOrEqual(100);
    });
    const seen = new Set(chunks.flatMap((chunk) => chunk.text.split(/\s+/)));
    expect(words.filter((word) => !seen.has(word))).toEqual([]);
  });

  it('splits a single huge word by characters rather than exceeding max', () => {
    const text = 'x'.repeat(4000);
    const chunks = chunkDocument({ text, policy: 'default', countTokens: subwordTokens });
    expect(chunks.every((chunk) => chunk.tokenCount <= 256)).toBe(true);
    expect(chunks.map((chunk) => chunk.text).join('')).toContain('x'.repeat(1000));
  });

  it('keeps a fenced code block with blank lines in one chunk when it fits', () => {
    const code = '```js\nconst a = 1;\n\n\nconst b = 2;\n```';
    const text = `# Setup\n\nInstall it first.\n\n${code}\n\nThen run it.`;
    const chunks = chunkDocument({ text, policy: 'default', countTokens: subwordTokens });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.text).toBe(text);
  });

  it('is deterministic', () => {
    const first = chunkDocument({ text: longDocument, title: 'T', policy: 'faq', countTokens: subwordTokens });
    const second = chunkDocument({ text: longDocument, title: 'T', policy: 'faq', countTokens: subwordTokens });
    expect(second).toEqual(first);
  });

  it('caps budgets at the model limit', () => {
    const chunks = chunkDocument({ text: longDocument, policy: 'procedural', countTokens: subwordTokens, maxTokens: 256 });
    expect(Math.max(...chunks.map((chunk) => chunk.tokenCount))).toBeLessThanOrEqual(256);
    expect(chunks.filter((chunk, index) => !endsSection(chunks, index) && chunk.tokenCount < 128)).toEqual([]);
  });

  it('counts fixed tokenizer overhead ([CLS], [SEP]) once per chunk', () => {
    const withSpecials = (text: string): number => subwordTokens(text) + 2;
    const chunks = chunkDocument({ text: longDocument, policy: 'default', countTokens: withSpecials });
    chunks.forEach((chunk, index) => {
      expect(chunk.tokenCount).toBeLessThanOrEqual(256);
      if (!endsSection(chunks, index)) expect(chunk.tokenCount).toBeGreaterThanOrEqual(100);
    });
  });

  it('never exceeds max with tokenizers whose counts do not add up', () => {
    // Rounds per text, so parts do not sum to the whole.
    const rounded = chunkDocument({ text: longDocument, policy: 'faq', countTokens: scaledWordTokens });
    expect(Math.max(...rounded.map((chunk) => chunk.tokenCount))).toBeLessThanOrEqual(300);
    // Grows faster than the sum of its parts: estimates undershoot and chunks are re-cut.
    const superlinear = (text: string): number => subwordTokens(text) + Math.floor(subwordTokens(text) ** 2 / 500);
    const recut = chunkDocument({ text: longDocument, policy: 'default', countTokens: superlinear });
    expect(recut.length).toBeGreaterThan(0);
    expect(Math.max(...recut.map((chunk) => chunk.tokenCount))).toBeLessThanOrEqual(256);
    expect(recut.map((chunk) => chunk.tokenCount)).toEqual(recut.map((chunk) => superlinear(chunk.embedText)));
  });

  it('rejects unknown policies and titles that leave no room', () => {
    const unknown = (): Chunk[] => chunkDocument({ text: 'Hi.', policy: 'huge', countTokens: subwordTokens });
    expect(unknown).toThrow(expect.objectContaining({ code: 'UNKNOWN_POLICY' }));
    const title = 'word '.repeat(240);
    const tooLong = (): Chunk[] => chunkDocument({ text: 'Hi.', title, policy: 'default', countTokens: subwordTokens });
    expect(tooLong).toThrow(ChunkingError);
    expect(tooLong).toThrow(expect.objectContaining({ code: 'BUDGET_TOO_SMALL', retriable: false }));
  });
});
