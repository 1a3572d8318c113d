/**
 * Records between a group's committed offsets and the end of the topic; a partition without a
 * commit counts from its low watermark (a new group replays everything).
 */
export function consumerLag(
  ends: readonly { partition: number; high: string; low: string }[],
  committed: readonly { partition: number; offset: string }[],
): number {
  const at = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  return ends.reduce((sum, p) => {
    const offset = at.get(p.partition);
    const from = offset === undefined || offset < 0 ? Number(p.low) : offset;
    return sum + Math.max(0, Number(p.high) - from);
  }, 0);
}
