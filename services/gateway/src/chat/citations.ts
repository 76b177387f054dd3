import type { TCitation, TRagSearchHit, TRestCitation } from "@dogi/contracts";

/** Longest passage text kept with a citation (the stored limit, MAX_PASSAGE_CHARS, is higher). */
export const PASSAGE_TEXT_CHARS = 1_500;

// A sentence ends at . ! ? (also full-width and 。) before a space or line break, or at a line break.
const SENTENCE_END = /[.!?。！？]["'”’)\]]?(?=\s)|\n/g;

/**
 * The cited passage, at most `max` characters: cut after the last sentence end (or else the last
 * space) in its second half, with "…" when something was left out; never inside a character.
 */
export function passageExcerpt(text: string, max = PASSAGE_TEXT_CHARS): string {
  const clean = text.trim();
  if (clean.length <= max) return clean;
  // One character of room for the ellipsis; one more to see what follows the last candidate.
  const window = clean.slice(0, max);
  let cut = -1;
  for (const match of window.matchAll(SENTENCE_END)) {
    const end = match.index + match[0].length;
    if (end <= max - 1 && end >= max / 2) cut = end;
  }
  if (cut === -1) {
    const space = window.lastIndexOf(" ", max - 1);
    if (space >= max / 2) cut = space;
  }
  let head = window.slice(0, cut === -1 ? max - 1 : cut).trimEnd();
  // A hard cut must not leave half of a surrogate pair (an emoji) behind.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}…`;
}

/** The stored form of the passages an answer cites, numbered in order, each with its text. */
export function citationsOf(hits: readonly TRagSearchHit[]): TCitation[] {
  return hits.map((hit) => {
    const text = passageExcerpt(hit.text);
    return {
      source: hit.citation.source,
      title: hit.citation.title,
      ...(hit.citation.section ? { section: hit.citation.section } : {}),
      chunkId: hit.chunkIds[0] ?? hit.citation.documentId,
      score: hit.score,
      ...(text ? { text } : {}),
    };
  });
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
    ...(c.text !== undefined ? { text: c.text } : {}),
  }));
}
