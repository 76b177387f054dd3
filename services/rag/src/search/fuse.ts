import type { ChunkRecord } from "./chunk-record.ts";

/** A chunk with its fused score. */
export interface FusedChunk {
  record: ChunkRecord;
  score: number;
}

/** How vector and BM25 rankings are fused (see {@link hybridFusion}). */
export interface FusionOptions {
  /** The constant of reciprocal rank fusion (Cormack et al. use 60). */
  k: number;
  /** In a fusion, BM25 hits scoring under this share of the best one are left out. */
  lexicalFloor: number;
  /** Each ranking's weight in the fused score. */
  weights: { vector: number; lexical: number };
}

/**
 * The defaults: the literature's k = 60, equal weights, and the BM25 floor. A sweep that tuned these
 * on half the evaluation topics did no better on the other half (see scripts/fusion-sweep.ts).
 */
export const defaultFusion: FusionOptions = {
  k: 60,
  lexicalFloor: 0.6,
  weights: { vector: 1, lexical: 1 },
};

/** Weighted reciprocal rank fusion: each ranking adds weight / (k + rank) to the chunks it lists. */
export function reciprocalRankFusion(
  rankings: ReadonlyArray<{ records: readonly ChunkRecord[]; weight: number }>,
  k = defaultFusion.k,
): FusedChunk[] {
  const fused = new Map<string, FusedChunk>();
  for (const { records, weight } of rankings) {
    records.forEach((record, index) => {
      const entry = fused.get(record.id) ?? { record, score: 0 };
      entry.score += weight / (k + index + 1);
      fused.set(record.id, entry);
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score);
}

/**
 * One ranking from the vector ranking and the BM25 one (either may be absent for a single-mode
 * search). In a fusion, weak lexical matches (one shared common term) are dropped first, so they
 * cannot outvote the embedder's ranking.
 */
export function hybridFusion(
  vector: readonly ChunkRecord[] | undefined,
  lexical: ReadonlyArray<{ record: ChunkRecord; score: number }> | undefined,
  options: FusionOptions = defaultFusion,
): FusedChunk[] {
  const rankings: Array<{ records: readonly ChunkRecord[]; weight: number }> = [];
  if (vector !== undefined) rankings.push({ records: vector, weight: options.weights.vector });
  if (lexical !== undefined) {
    const floor = vector === undefined ? 0 : (lexical[0]?.score ?? 0) * options.lexicalFloor;
    rankings.push({
      records: lexical.filter(({ score }) => score >= floor).map(({ record }) => record),
      weight: options.weights.lexical,
    });
  }
  return reciprocalRankFusion(rankings, options.k);
}
