import type { TIngestDocumentResponse } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { IngestInput, KnowledgeBase } from "./knowledge-base.ts";
import type { OriginalStore } from "./originals.ts";

/**
 * Ingests one uploaded file (`dogi ingest` or the admin area) and keeps its bytes, so that a later
 * pipeline can re-parse it (re-ingest). The original is saved only after the ingest succeeded: a
 * file the pipeline refuses leaves nothing behind.
 */
export async function ingestAndKeep(
  deps: { kb: KnowledgeBase; originals: OriginalStore; logger: Logger },
  input: IngestInput,
): Promise<TIngestDocumentResponse> {
  // One write for the backup's pause: it waits for the original too, so a backup never holds
  // the chunks of a document without its original.
  return deps.kb.writes.run(async () => {
    const result = await deps.kb.ingest(input);
    await keepOriginal(deps, input, result.documentId);
    return result;
  });
}

async function keepOriginal(
  deps: { originals: OriginalStore; logger: Logger },
  input: IngestInput,
  documentId: string,
): Promise<void> {
  try {
    await deps.originals.save(documentId, {
      fileName: input.fileName,
      source: input.source,
      bytes: input.bytes,
    });
  } catch (error) {
    // The document is stored and searchable; only a later re-ingest needs the original, and that
    // says to upload the file again. Failing the ingest now would report a stored document as lost.
    deps.logger.warn(
      { err: error, documentId },
      "could not keep the original of an ingested document; re-ingest will ask for it again",
    );
  }
}
