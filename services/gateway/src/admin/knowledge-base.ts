import path from "node:path";
import {
  DOCUMENT_TYPE_BY_EXTENSION,
  MAX_ADMIN_UPLOAD_BYTES,
  ZRagDocumentId,
} from "@dogi/contracts";
import type { TDeleteDocumentResponse, TIngestJob, TRagDocumentId } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import { recordAction } from "./audit.ts";
import type { AdminActor, AdminDeps } from "./deps.ts";

const MAX_FILE_NAME = 500;
const extensions = Object.keys(DOCUMENT_TYPE_BY_EXTENSION);

/** A document id from a path; one that cannot be an id is no document (404). */
export function documentIdFrom(raw: string | undefined): TRagDocumentId {
  const parsed = ZRagDocumentId.safeParse(raw);
  if (!parsed.success) throw new AppError("NOT_FOUND", `No document ${raw ?? ""}.`);
  return parsed.data;
}

/**
 * Checks an uploaded file's name and size before anything is queued; what only parsing can
 * tell (a PDF that is not one, text that is not UTF-8) fails the job, with the file named.
 */
export function checkUpload(fileName: string | undefined, bytes: number): string {
  const name = (fileName ?? "").trim();
  if (name === "") throw new AppError("VALIDATION_FAILED", "Name the file: ?file_name=NAME.md");
  if (name.length > MAX_FILE_NAME || name !== path.basename(name) || name.includes("\\"))
    throw new AppError(
      "VALIDATION_FAILED",
      `file_name must be a plain file name of at most ${MAX_FILE_NAME} characters, without folders.`,
    );
  const extension = path.extname(name).toLowerCase();
  if (!extensions.includes(extension))
    throw new AppError(
      "VALIDATION_FAILED",
      `${name}: the knowledge base reads ${extensions.join(", ")} files.`,
    );
  if (bytes === 0) throw new AppError("VALIDATION_FAILED", `${name} is empty.`);
  if (bytes > MAX_ADMIN_UPLOAD_BYTES)
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `${name} is larger than ${MAX_ADMIN_UPLOAD_BYTES} bytes, the largest document Dogi ingests.`,
    );
  return name;
}

/** Queues an uploaded document in rag's background ingest; answers at once with the job. */
export async function uploadDocument(
  deps: Pick<AdminDeps, "services">,
  options: { actor: AdminActor; fileName: string | undefined; bytes: Buffer },
): Promise<TIngestJob> {
  const fileName = checkUpload(options.fileName, options.bytes.length);
  await recordAction(deps, {
    actor: options.actor,
    action: "kb.upload",
    target: fileName,
    detail: { bytes: options.bytes.length },
  });
  return deps.services.rag.jobs.enqueue.mutate({
    fileName,
    content: options.bytes.toString("base64"),
    source: fileName,
  });
}

/** Deletes a document and its passages. */
export async function deleteDocument(
  deps: Pick<AdminDeps, "services">,
  options: { actor: AdminActor; documentId: TRagDocumentId },
): Promise<TDeleteDocumentResponse> {
  await recordAction(deps, {
    actor: options.actor,
    action: "kb.delete",
    target: options.documentId,
  });
  const result = await deps.services.rag.deleteDocument.mutate({
    documentId: options.documentId,
  });
  if (result.deletedChunks === 0)
    throw new AppError("NOT_FOUND", `No document ${options.documentId}.`);
  return result;
}

/** Parses a document again from its kept original with today's pipeline (a background job). */
export async function reingestDocument(
  deps: Pick<AdminDeps, "services">,
  options: { actor: AdminActor; documentId: TRagDocumentId },
): Promise<TIngestJob> {
  await recordAction(deps, {
    actor: options.actor,
    action: "kb.reingest",
    target: options.documentId,
  });
  return deps.services.rag.reingest.mutate({ documentId: options.documentId });
}
