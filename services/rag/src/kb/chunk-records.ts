import { createHash } from "node:crypto";
import type { TextChunk } from "../ingest/chunker.ts";
import type { ParsedDocument } from "../ingest/parse-document.ts";
import type { ChunkRecord } from "../search/chunk-record.ts";

/**
 * The stored records of a parsed document's chunks. Ids come from the content, so ingesting the
 * same document twice yields the same ids and an edited one yields new ones.
 */
export function chunkRecordsOf(
  parsed: ParsedDocument,
  chunks: readonly TextChunk[],
  fromCorpus: boolean,
): ChunkRecord[] {
  return chunks.map((chunk) => ({
    id: `${parsed.documentId}#${createHash("sha256")
      .update(
        `${parsed.contentHash}\0${chunk.start}\0${chunk.end}\0${chunk.section}\0${chunk.text}`,
      )
      .digest("hex")
      .slice(0, 24)}`,
    text: chunk.text,
    documentId: parsed.documentId,
    title: parsed.title,
    section: chunk.section,
    species: parsed.species,
    language: parsed.language,
    topic: parsed.topic,
    source: parsed.source,
    type: parsed.type,
    contentHash: parsed.contentHash,
    fromCorpus,
    chunkIndex: chunk.index,
    start: chunk.start,
    end: chunk.end,
  }));
}
