/**
 * Reciprocal-rank fusion (Cormack et al., 2009): each id scores the sum over the ranked lists
 * it appears in of 1 / (k + rank), rank counted from 1. Scores need no calibration between
 * legs, which is why hybrid search uses it. Ties go to the better single rank, then the id.
 */
export function reciprocalRankFusion(lists: readonly (readonly string[])[], options: { k?: number } = {}): { id: string; score: number }[] {
  const k = options.k ?? 60;
  const fused = new Map<string, { score: number; bestRank: number }>();
  for (const list of lists) {
    list.forEach((id, index) => {
      const entry = fused.get(id) ?? { score: 0, bestRank: Infinity };
      entry.score += 1 / (k + index + 1);
      entry.bestRank = Math.min(entry.bestRank, index + 1);
      fused.set(id, entry);
    });
  }
  return [...fused.entries()]
    .sort(([a, x], [b, y]) => y.score - x.score || x.bestRank - y.bestRank || (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, { score }]) => ({ id, score }));
}
