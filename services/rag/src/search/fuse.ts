import type { ChunkRecord } from "./chunk-record.ts";

/** The constant of reciprocal rank fusion (Cormack et al. use 60). */
export const rrfK = 60;

/** Reciprocal rank fusion: each ranking adds 1 / (k + rank) to the chunks it lists. */
export function reciprocalRankFusion(
  rankings: ReadonlyArray<readonly ChunkRecord[]>,
  k = rrfK,
): Array<{ record: ChunkRecord; score: number }> {
  const fused = new Map<string, { record: ChunkRecord; score: number }>();
  for (const ranking of rankings) {
    ranking.forEach((record, index) => {
      const entry = fused.get(record.id) ?? { record, score: 0 };
      entry.score += 1 / (k + index + 1);
      fused.set(record.id, entry);
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
