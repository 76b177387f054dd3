import type { TRagDocumentType, TRagLanguage, TRagSpecies } from "@dogi/contracts";

/** One stored chunk, as Chroma keeps it (metadata plus text) and the in-memory index mirrors it. */
export interface ChunkRecord {
  id: string;
  text: string;
  documentId: string;
  title: string;
  section: string;
  species: TRagSpecies;
  language: TRagLanguage;
  topic: string;
  source: string;
  type: TRagDocumentType;
  contentHash: string;
  fromCorpus: boolean;
  chunkIndex: number;
  start: number;
  end: number;
}

/** What searches may be narrowed to. */
export interface ChunkFilter {
  species?: "dog" | "cat" | undefined;
  language?: TRagLanguage | undefined;
}

/** True when a chunk passes the filter (documents about both species match either). */
export function matchesFilter(
  record: Pick<ChunkRecord, "species" | "language">,
  filter: ChunkFilter,
): boolean {
  if (
    filter.species !== undefined &&
    record.species !== filter.species &&
    record.species !== "both"
  )
    return false;
  return filter.language === undefined || record.language === filter.language;
}

/** The text that is embedded and indexed: title and section give each chunk its context. */
export function indexTextOf(record: Pick<ChunkRecord, "title" | "section" | "text">): string {
  return `${record.title}\n${record.section}\n${record.text}`;
}
