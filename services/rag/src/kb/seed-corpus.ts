import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "@dogi/logger";
import type { KnowledgeBase } from "./knowledge-base.ts";

/** The corpus that ships with the service. */
export const defaultCorpusDir = path.resolve(import.meta.dirname, "../../corpus");

/** The corpus's Markdown files (README excluded), sorted. */
export async function corpusFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((name) => name.endsWith(".md") && name.toLowerCase() !== "readme.md")
    .sort()
    .map((name) => path.join(dir, name));
}

export interface SeedResult {
  skipped: boolean;
  documents: number;
  added: number;
  removed: number;
  corpusHash: string;
}

/**
 * Ingests the corpus when the collection has never seen this version of it (empty collection or a
 * different corpus hash), and deletes corpus documents whose files are gone. Documents ingested by
 * hand are left alone.
 */
export async function seedCorpus(options: {
  kb: KnowledgeBase;
  dir: string;
  logger?: Logger;
  onProgress?: (done: number, total: number) => void;
}): Promise<SeedResult> {
  const { kb, dir } = options;
  const files = await corpusFiles(dir);
  const contents = await Promise.all(
    files.map(async (file) => ({ file, bytes: await readFile(file) })),
  );
  const hash = createHash("sha256");
  for (const { file, bytes } of contents)
    hash.update(path.basename(file)).update("\0").update(bytes).update("\0");
  const corpusHash = hash.digest("hex");
  if (kb.store.corpusHash() === corpusHash && (await kb.store.count()) > 0) {
    return { skipped: true, documents: files.length, added: 0, removed: 0, corpusHash };
  }
  let added = 0;
  let removed = 0;
  const seen = new Set<string>();
  for (const [done, { file, bytes }] of contents.entries()) {
    const result = await kb.ingest({
      fileName: file,
      bytes,
      source: `corpus/${path.basename(file)}`,
      fromCorpus: true,
    });
    seen.add(result.documentId);
    added += result.added;
    removed += result.removed;
    options.onProgress?.(done + 1, contents.length);
  }
  for (const doc of kb.documents()) {
    if (doc.fromCorpus && !seen.has(doc.documentId)) {
      removed += (await kb.deleteDocument(doc.documentId)).deletedChunks;
      options.logger?.info(
        { documentId: doc.documentId },
        "removed a corpus document whose file is gone",
      );
    }
  }
  await kb.store.setCorpusHash(corpusHash);
  return { skipped: false, documents: files.length, added, removed, corpusHash };
}
