import { readFile } from "node:fs/promises";
import path from "node:path";
import type { TIngestJob, TRagDocumentSummary } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { RagDeps } from "../context.ts";

/** The file a document was made from, as re-ingest reads it again. */
interface Source {
  fileName: string;
  source: string;
  bytes: Uint8Array;
}

/**
 * Queues a job that parses a stored document again from its file with the current pipeline: the
 * kept original of an upload, or the corpus file of a seeded document. NOT_FOUND for an unknown
 * document; BAD_REQUEST when its file is not there (ingested before Dogi kept originals).
 */
export async function reingest(
  deps: Pick<RagDeps, "runtime" | "originals" | "jobs" | "corpusDir">,
  input: { documentId: string },
): Promise<TIngestJob> {
  const kb = deps.runtime.ready();
  const document = kb.documents().find((doc) => doc.documentId === input.documentId);
  if (document === undefined)
    throw new AppError("NOT_FOUND", `no document with id ${JSON.stringify(input.documentId)}`);
  const file = document.fromCorpus
    ? await corpusFile(deps.corpusDir, document)
    : await uploadedFile(deps, document);
  return deps.jobs.enqueue({
    kind: "reingest",
    fileName: file.fileName,
    bytes: file.bytes.byteLength,
    run: () =>
      deps.runtime.ready().ingest({
        fileName: file.fileName,
        bytes: file.bytes,
        // The id it has now, even if the file's name or front matter would give another today.
        documentId: document.documentId,
        source: file.source,
        fromCorpus: document.fromCorpus,
      }),
  });
}

async function uploadedFile(
  deps: Pick<RagDeps, "originals">,
  document: TRagDocumentSummary,
): Promise<Source> {
  const original = await deps.originals.read(document.documentId);
  if (original === undefined)
    throw new AppError(
      "BAD_REQUEST",
      `${document.documentId} has no kept original file (it was ingested before Dogi kept uploads); upload it again to re-ingest it`,
    );
  return {
    fileName: original.meta.fileName,
    source: original.meta.source ?? document.source,
    bytes: original.bytes,
  };
}

/** A seeded document's file: its source is `corpus/<file name>` (see seedCorpus). */
async function corpusFile(corpusDir: string, document: TRagDocumentSummary): Promise<Source> {
  const name = path.basename(document.source);
  try {
    return {
      fileName: name,
      source: document.source,
      bytes: await readFile(path.join(corpusDir, name)),
    };
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT")
      throw new AppError(
        "BAD_REQUEST",
        `${document.documentId} came from the corpus file ${document.source}, which is no longer in the corpus folder; upload it again to re-ingest it`,
      );
    throw error;
  }
}
