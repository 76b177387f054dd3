/**
 * The file types the knowledge base ingests, as the file picker offers them (contracts'
 * DOCUMENT_TYPE_BY_EXTENSION: the page bundles no zod, so a test keeps the two lists equal).
 */
export const ACCEPTED_EXTENSIONS = [
  ".md",
  ".markdown",
  ".txt",
  ".text",
  ".html",
  ".htm",
  ".pdf",
] as const;

/** Largest upload the gateway takes (contracts' MAX_ADMIN_UPLOAD_BYTES; the page bundles no zod). */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * Why a file cannot be uploaded, before any byte is sent: a type the knowledge base does not read,
 * an empty file, or one over the limit. Null when it may go.
 */
export function uploadProblem(name: string, bytes: number): "type" | "empty" | "size" | null {
  const lower = name.toLowerCase();
  if (!ACCEPTED_EXTENSIONS.some((extension) => lower.endsWith(extension))) return "type";
  if (bytes === 0) return "empty";
  if (bytes > MAX_UPLOAD_BYTES) return "size";
  return null;
}
