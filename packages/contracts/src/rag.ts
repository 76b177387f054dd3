import { z } from "zod";
import { ZCursor } from "./common.ts";

/** Which animals a document or chunk is about. */
export const ZRagSpecies = z.enum(["dog", "cat", "both"]);
export type TRagSpecies = z.infer<typeof ZRagSpecies>;

/** The languages of the knowledge base. */
export const ZRagLanguage = z.enum(["ko", "en"]);
export type TRagLanguage = z.infer<typeof ZRagLanguage>;

/** File types the ingest pipeline reads. */
export const ZRagDocumentType = z.enum(["markdown", "text", "html", "pdf"]);
export type TRagDocumentType = z.infer<typeof ZRagDocumentType>;

/** A document id: lowercase letters, digits, dots, dashes and underscores. */
export const ZRagDocumentId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "use lowercase letters, digits, '.', '-' and '_'");
export type TRagDocumentId = z.infer<typeof ZRagDocumentId>;

/** One file to ingest: its name (for the type and the default id) and its bytes. */
export const ZIngestDocumentRequest = z.object({
  fileName: z.string().min(1).max(500),
  /** utf8: the text itself; base64: the raw bytes (PDFs, or text whose encoding the server should check). */
  encoding: z.enum(["utf8", "base64"]).default("utf8"),
  content: z.string(),
  /** Overrides the id from front matter or the file name. */
  documentId: ZRagDocumentId.optional(),
  /** Where the document came from, shown in citations (default: the file name). */
  source: z.string().min(1).max(1000).optional(),
});
export type TIngestDocumentRequest = z.input<typeof ZIngestDocumentRequest>;

/** What an ingest did: chunks added and removed; `unchanged` when the same content was already stored. */
export const ZIngestDocumentResponse = z.object({
  documentId: ZRagDocumentId,
  title: z.string(),
  type: ZRagDocumentType,
  chunks: z.number().int().nonnegative(),
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  unchanged: z.boolean(),
});
export type TIngestDocumentResponse = z.infer<typeof ZIngestDocumentResponse>;

export const ZDeleteDocumentRequest = z.object({ documentId: ZRagDocumentId });
export const ZDeleteDocumentResponse = z.object({
  documentId: ZRagDocumentId,
  deletedChunks: z.number().int().nonnegative(),
});
export type TDeleteDocumentResponse = z.infer<typeof ZDeleteDocumentResponse>;

/** One stored document, as listDocuments reports it. */
export const ZRagDocumentSummary = z.object({
  documentId: ZRagDocumentId,
  title: z.string(),
  species: ZRagSpecies,
  language: ZRagLanguage,
  topic: z.string(),
  source: z.string(),
  type: ZRagDocumentType,
  contentHash: z.string(),
  chunks: z.number().int().nonnegative(),
  fromCorpus: z.boolean(),
});
export type TRagDocumentSummary = z.infer<typeof ZRagDocumentSummary>;

export const ZListDocumentsRequest = z.object({
  cursor: ZCursor.optional(),
  limit: z.number().int().min(1).max(200).default(50),
  species: ZRagSpecies.optional(),
  language: ZRagLanguage.optional(),
});
export type TListDocumentsRequest = z.input<typeof ZListDocumentsRequest>;

export const ZListDocumentsResponse = z.object({
  items: z.array(ZRagDocumentSummary),
  nextCursor: z.string().nullable(),
});

/** Counts of the knowledge base and the embedder it was built with. */
export const ZRagStats = z.object({
  collection: z.string(),
  chunks: z.number().int().nonnegative(),
  documents: z.number().int().nonnegative(),
  byLanguage: z.record(z.string(), z.number().int().nonnegative()),
  bySpecies: z.record(z.string(), z.number().int().nonnegative()),
  embedder: z.object({ name: z.string(), dimension: z.number().int().positive() }),
  corpusHash: z.string().nullable(),
});
export type TRagStats = z.infer<typeof ZRagStats>;

/** The pet a question is about, to prefer passages that fit it. */
export const ZRagPetContext = z.object({
  species: z.enum(["dog", "cat"]).optional(),
  breed: z.string().max(100).optional(),
  ageYears: z.number().nonnegative().max(40).optional(),
  conditions: z.array(z.string().max(100)).max(20).optional(),
});
export type TRagPetContext = z.infer<typeof ZRagPetContext>;

export const ZRagSearchRequest = z.object({
  query: z.string().trim().min(1).max(2000),
  limit: z.number().int().min(1).max(20).default(5),
  /** Only passages for this species (documents for both species always match). */
  species: z.enum(["dog", "cat"]).optional(),
  language: ZRagLanguage.optional(),
  pet: ZRagPetContext.optional(),
  /** Which rankings to use: hybrid (default), or one of them alone (for evaluation). */
  mode: z.enum(["hybrid", "vector", "bm25"]).default("hybrid"),
});
export type TRagSearchRequest = z.input<typeof ZRagSearchRequest>;

/** Where a passage comes from. */
export const ZRagCitation = z.object({
  documentId: ZRagDocumentId,
  title: z.string(),
  section: z.string(),
  source: z.string(),
});
export type TRagCitation = z.infer<typeof ZRagCitation>;

/** One passage: merged text of adjacent or overlapping chunks of one document. */
export const ZRagSearchHit = z.object({
  text: z.string(),
  score: z.number(),
  citation: ZRagCitation,
  species: ZRagSpecies,
  language: ZRagLanguage,
  chunkIds: z.array(z.string()),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type TRagSearchHit = z.infer<typeof ZRagSearchHit>;

export const ZRagSearchResponse = z.object({
  hits: z.array(ZRagSearchHit),
  tookMs: z.number().nonnegative(),
});
export type TRagSearchResponse = z.infer<typeof ZRagSearchResponse>;

/**
 * Pauses the knowledge base's writes (ingest, delete) while a backup copies Chroma's files; the
 * pause lifts by itself after `holdMs`, so a backup that dies cannot leave ingest stopped.
 */
export const ZRagPauseWritesRequest = z.object({
  holdMs: z.number().int().min(1_000).max(600_000),
});
export type TRagPauseWritesRequest = z.infer<typeof ZRagPauseWritesRequest>;

/** A pause in effect: no write runs from now until `pausedUntil` (ms since the epoch) or the resume. */
export const ZRagPauseWritesResponse = z.object({
  pauseId: z.string(),
  pausedUntil: z.number().int(),
});
export type TRagPauseWritesResponse = z.infer<typeof ZRagPauseWritesResponse>;

export const ZRagResumeWritesRequest = z.object({ pauseId: z.string() });
export type TRagResumeWritesRequest = z.infer<typeof ZRagResumeWritesRequest>;

/** `heldThroughout`: the pause was still in effect when resumed (false: it had lapsed, or is another's). */
export const ZRagResumeWritesResponse = z.object({ heldThroughout: z.boolean() });
export type TRagResumeWritesResponse = z.infer<typeof ZRagResumeWritesResponse>;
