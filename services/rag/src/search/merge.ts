import type { TRagSearchHit } from "@dogi/contracts";
import type { ChunkRecord } from "./chunk-record.ts";

interface Group {
  records: ChunkRecord[];
  score: number;
  start: number;
  end: number;
}

/** Chunks of one document this close (whitespace between sentences) read as one passage. */
const adjacentGap = 2;

/**
 * Turns scored chunks (best first) into at most `limit` passages: chunks of the same document that
 * overlap or touch merge into one passage with the best score of its parts.
 */
export function mergePassages(
  scored: ReadonlyArray<{ record: ChunkRecord; score: number }>,
  limit: number,
): TRagSearchHit[] {
  const groups: Group[] = [];
  for (const { record, score } of scored) {
    const group = groups.find(
      (candidate) =>
        candidate.records[0]?.documentId === record.documentId &&
        record.start <= candidate.end + adjacentGap &&
        record.end + adjacentGap >= candidate.start,
    );
    if (group !== undefined) {
      group.records.push(record);
      group.start = Math.min(group.start, record.start);
      group.end = Math.max(group.end, record.end);
    } else if (groups.length < limit) {
      groups.push({ records: [record], score, start: record.start, end: record.end });
    }
  }
  return groups.map(toHit);
}

function toHit(group: Group): TRagSearchHit {
  const parts = [...group.records].sort((a, b) => a.start - b.start);
  const first = parts[0];
  if (first === undefined) throw new Error("a passage needs at least one chunk");
  let text = first.text;
  let end = first.end;
  for (const part of parts.slice(1)) {
    if (part.end <= end) continue;
    text +=
      part.start >= end
        ? `${part.start > end ? "\n" : ""}${part.text}`
        : part.text.slice(end - part.start);
    end = part.end;
  }
  const best = group.records[0] ?? first;
  return {
    text,
    score: group.score,
    citation: {
      documentId: first.documentId,
      title: first.title,
      section: best.section,
      source: first.source,
    },
    species: first.species,
    language: first.language,
    chunkIds: parts.map((part) => part.id),
    start: group.start,
    end: group.end,
  };
}
