import type { TextRange } from './markdown-blocks.js';

const word = /\S+/g;

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function halve(text: string, { start, end }: TextRange): [TextRange, TextRange] | undefined {
  const words = [...text.slice(start, end).matchAll(word)];
  if (words.length >= 2) {
    const mid = Math.floor(words.length / 2);
    const last = words[mid - 1];
    const next = words[mid];
    if (last === undefined || next === undefined) return undefined;
    return [
      { start, end: start + last.index + last[0].length },
      { start: start + next.index, end },
    ];
  }
  // One huge "word" (a URL, base64): split by characters, never inside a surrogate pair.
  let cut = start + Math.floor((end - start) / 2);
  if (isLowSurrogate(text.charCodeAt(cut))) cut += 1;
  if (cut <= start || cut >= end) return undefined;
  return [
    { start, end: cut },
    { start: cut, end },
  ];
}

/**
 * The last resort for text too long for one chunk: halves it at the middle word (or character,
 * for a single word) until every part satisfies `fits`. Halving keeps parts balanced and costs
 * O(parts · log words) token counts, only for the rare over-long sentence.
 */
export function splitToFit(text: string, range: TextRange, fits: (range: TextRange) => boolean): TextRange[] {
  if (fits(range)) return [range];
  const halves = halve(text, range);
  if (halves === undefined) return [range];
  return [...splitToFit(text, halves[0], fits), ...splitToFit(text, halves[1], fits)];
}
