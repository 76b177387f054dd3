import type { TCitation, TRagSearchHit, TRestCitation } from "@dogi/contracts";

/** The stored form of the passages an answer cites, numbered in order. */
export function citationsOf(hits: readonly TRagSearchHit[]): TCitation[] {
  return hits.map((hit) => ({
    source: hit.citation.source,
    title: hit.citation.title,
    ...(hit.citation.section ? { section: hit.citation.section } : {}),
    chunkId: hit.chunkIds[0] ?? hit.citation.documentId,
    score: hit.score,
  }));
}

/** Citations as the public API shows them: numbered like the answer's [1], [2]. */
export function restCitations(citations: readonly TCitation[]): TRestCitation[] {
  return citations.map((c, i) => ({
    n: i + 1,
    source: c.source,
    ...(c.title !== undefined ? { title: c.title } : {}),
    ...(c.section !== undefined ? { section: c.section } : {}),
    ...(c.chunkId !== undefined ? { chunk_id: c.chunkId } : {}),
    ...(c.score !== undefined ? { score: c.score } : {}),
  }));
}
