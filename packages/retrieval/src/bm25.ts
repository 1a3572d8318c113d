export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** BM25 inverse document frequency as in Lucene: never negative, even for terms in every chunk. */
export function bm25Idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * Term frequencies from the text form of a tsvector (`'lexeme':1A,5A 'other':2`): the number of
 * positions of each lexeme. Inside quotes Postgres doubles both `'` and `\`.
 */
export function termFrequencies(tsvector: string): Map<string, number> {
  const frequencies = new Map<string, number>();
  let i = 0;
  while (i < tsvector.length) {
    if (tsvector[i] !== "'") {
      i++;
      continue;
    }
    let lexeme = '';
    for (i++; i < tsvector.length; i++) {
      const char = tsvector[i];
      if ((char === "'" || char === '\\') && tsvector[i + 1] === char) {
        lexeme += char;
        i++;
      } else if (char === "'") {
        break;
      } else {
        lexeme += char;
      }
    }
    i++;
    let positions = 0;
    if (tsvector[i] === ':') {
      positions = 1;
      for (i++; i < tsvector.length && tsvector[i] !== ' '; i++) if (tsvector[i] === ',') positions++;
    }
    frequencies.set(lexeme, positions);
  }
  return frequencies;
}

/**
 * The BM25 score of one chunk: sum over the query terms it contains of
 * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)).
 */
export function bm25Score(options: { tf: ReadonlyMap<string, number>; idf: ReadonlyMap<string, number>; dl: number; avgdl: number }): number {
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * options.dl) / options.avgdl);
  let score = 0;
  for (const [term, tf] of options.tf) {
    const idf = options.idf.get(term);
    if (idf !== undefined && tf > 0) score += (idf * tf * (BM25_K1 + 1)) / (tf + norm);
  }
  return score;
}
