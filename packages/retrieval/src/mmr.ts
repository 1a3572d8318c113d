function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

/**
 * Maximal marginal relevance (Carbonell & Goldstein, 1998): picks `k` of the candidates one at a
 * time, each maximising `lambda * sim(query, c) - (1 - lambda) * max sim(c, picked)` with cosine
 * similarity. lambda 1 is plain relevance order, 0 pure diversity. Returns candidate indexes in
 * pick order; ties go to the earlier candidate, so pass candidates best first.
 */
export function mmr(options: { query: ArrayLike<number>; candidates: readonly ArrayLike<number>[]; lambda: number; k: number }): number[] {
  const { query, candidates, lambda } = options;
  const norms = candidates.map((c) => Math.sqrt(dot(c, c)));
  const queryNorm = Math.sqrt(dot(query, query));
  const cosine = (a: ArrayLike<number>, b: ArrayLike<number>, norm: number) => (norm === 0 ? 0 : dot(a, b) / norm);
  const relevance = candidates.map((c, i) => cosine(c, query, (norms[i] ?? 0) * queryNorm));
  // Highest similarity of each candidate to anything picked so far, updated after every pick.
  const redundancy = candidates.map(() => -Infinity);
  const remaining = new Set(candidates.map((_, i) => i));
  const picked: number[] = [];
  while (picked.length < Math.min(options.k, candidates.length)) {
    let best = -1;
    let bestScore = -Infinity;
    for (const i of remaining) {
      const penalty = picked.length === 0 ? 0 : (redundancy[i] ?? 0);
      const score = lambda * (relevance[i] ?? 0) - (1 - lambda) * penalty;
      if (score > bestScore || (score === bestScore && i < best)) {
        best = i;
        bestScore = score;
      }
    }
    if (best < 0) break;
    picked.push(best);
    remaining.delete(best);
    const chosen = candidates[best] ?? [];
    for (const i of remaining) {
      const similarity = cosine(candidates[i] ?? [], chosen, (norms[i] ?? 0) * (norms[best] ?? 0));
      if (similarity > (redundancy[i] ?? -Infinity)) redundancy[i] = similarity;
    }
  }
  return picked;
}
