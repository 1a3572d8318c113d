// Deterministic documents and tokenizers for the chunker's unit tests.

/** mulberry32: a tiny seeded PRNG, so every run builds the same document. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const syllables = ['ka', 'lo', 'mi', 'ten', 'ra', 'vos', 'qui', 'del', 'un', 'sa', 'por', 'eth', 'bri', 'gan', 'tu', 'ex'];

export interface DocumentBlock {
  readonly kind: 'heading' | 'paragraph';
  readonly sentences: readonly string[];
}

export function createWriter(seed: number): {
  int: (min: number, max: number) => number;
  sentence: () => string;
  paragraph: () => DocumentBlock;
} {
  const random = seededRandom(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const vocabulary = Array.from({ length: 400 }, () =>
    Array.from({ length: int(1, 4) }, () => syllables[int(0, syllables.length - 1)] ?? 'a').join(''),
  );
  const word = (): string => vocabulary[int(0, vocabulary.length - 1)] ?? 'a';
  const sentence = (): string => {
    const words = Array.from({ length: int(4, 22) }, word);
    const first = words[0] ?? 'a';
    words[0] = first.charAt(0).toUpperCase() + first.slice(1);
    return `${words.join(' ')}${['.', '.', '.', '?', '!'][int(0, 4)] ?? '.'}`;
  };
  const paragraph = (): DocumentBlock => ({ kind: 'paragraph', sentences: Array.from({ length: int(1, 7) }, sentence) });
  return { int, sentence, paragraph };
}

/** Paragraphs of 1–7 sentences of 4–22 words, with a `##` heading every 6–14 paragraphs. */
export function syntheticDocument(seed: number, paragraphs: number): DocumentBlock[] {
  const writer = createWriter(seed);
  const blocks: DocumentBlock[] = [];
  let untilHeading = writer.int(6, 14);
  for (let i = 0; i < paragraphs; i += 1) {
    if (untilHeading-- === 0) {
      blocks.push({ kind: 'heading', sentences: [`## ${writer.sentence().replace(/[.?!]$/, '')}`] });
      untilHeading = writer.int(6, 14);
    }
    blocks.push(writer.paragraph());
  }
  return blocks;
}

export function renderDocument(blocks: readonly DocumentBlock[]): string {
  return blocks.map((block) => block.sentences.join(' ')).join('\n\n');
}

const words = (text: string): string[] => text.split(/\s+/).filter((word) => word !== '');

/** About one token per four characters of each word, like a subword tokenizer; additive over joins. */
export function subwordTokens(text: string): number {
  return words(text).reduce((sum, word) => sum + Math.ceil(word.length / 4), 0);
}

/** Words × 1.3, rounded: not additive, so it exercises the chunker's join allowance. */
export function scaledWordTokens(text: string): number {
  return Math.round(words(text).length * 1.3);
}
