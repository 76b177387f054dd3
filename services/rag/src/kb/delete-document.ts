import type { TDeleteDocumentResponse } from "@dogi/contracts";
import type { KnowledgeBase } from "./knowledge-base.ts";
import type { OriginalStore } from "./originals.ts";

/** Removes a document's chunks, then its kept original; NOT_FOUND (nothing removed) when unknown. */
export async function deleteDocument(
  deps: { kb: KnowledgeBase; originals: OriginalStore },
  documentId: string,
): Promise<TDeleteDocumentResponse> {
  // One write for the backup's pause (it waits for both). Chunks first: when that fails (a
  // backup's pause, Chroma down) the original must still be there.
  return deps.kb.writes.run(async () => {
    const result = await deps.kb.deleteDocument(documentId);
    await deps.originals.remove(documentId);
    return result;
  });
}
