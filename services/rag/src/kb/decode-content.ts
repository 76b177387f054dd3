import { AppError } from "@dogi/trpc";

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of an ingest request's content, refusing malformed base64. */
export function decodeContent(content: string, encoding: "utf8" | "base64"): Uint8Array {
  if (encoding === "utf8") return Buffer.from(content, "utf8");
  const compact = content.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !base64.test(compact)) {
    throw new AppError("BAD_REQUEST", "content is not valid base64 (encoding: base64)");
  }
  return Buffer.from(compact, "base64");
}
