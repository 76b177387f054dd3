import type { TListDocumentsRequest, TPage, TRagDocumentSummary } from "@dogi/contracts";
import { ZListDocumentsRequest } from "@dogi/contracts";
import type { KnowledgeBase } from "./knowledge-base.ts";

/** A page of stored documents by id; the cursor is the last id of the previous page. */
export function listDocuments(
  kb: KnowledgeBase,
  input: TListDocumentsRequest,
): TPage<TRagDocumentSummary> {
  const request = ZListDocumentsRequest.parse(input);
  const matching = kb
    .documents()
    .filter((doc) => request.species === undefined || doc.species === request.species)
    .filter((doc) => request.language === undefined || doc.language === request.language)
    .filter((doc) => request.cursor === undefined || doc.documentId > request.cursor);
  const items = matching.slice(0, request.limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: matching.length > request.limit && last !== undefined ? last.documentId : null,
  };
}
