import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

/** What re-ingest needs besides the bytes: the name (for the type) and the citation source. */
const ZOriginalMeta = z.object({
  fileName: z.string(),
  source: z.string().optional(),
  bytes: z.number().int().nonnegative(),
  savedAt: z.iso.datetime(),
});
export type OriginalMeta = z.infer<typeof ZOriginalMeta>;

/** A kept original: the bytes as uploaded and how they were uploaded. */
export interface Original {
  meta: OriginalMeta;
  bytes: Buffer;
}

/**
 * The uploaded files behind the knowledge base's documents, kept so that a later pipeline can
 * re-parse them (re-ingest). One pair per document id: `<id>.original` (the bytes) and
 * `<id>.json` (file name and source). Document ids are restricted to [a-z0-9._-] and cannot start
 * with a dot, so an id is always a plain file name inside the folder.
 */
export class OriginalStore {
  constructor(readonly dir: string) {}

  /**
   * Keeps `bytes` as the original of `documentId`, replacing any earlier one. Each file is written
   * to a temporary name and renamed, so a crash leaves the old original or the new one, never half
   * a file; the metadata goes last, so it never describes bytes not yet in place.
   */
  async save(
    documentId: string,
    original: { fileName: string; source?: string | undefined; bytes: Uint8Array },
  ): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const meta: OriginalMeta = {
      fileName: original.fileName,
      source: original.source,
      bytes: original.bytes.byteLength,
      savedAt: new Date().toISOString(),
    };
    await this.writeAtomically(this.bytesPath(documentId), original.bytes);
    await this.writeAtomically(this.metaPath(documentId), JSON.stringify(meta));
  }

  /** The kept original of `documentId`, or undefined when there is none (or it is incomplete). */
  async read(documentId: string): Promise<Original | undefined> {
    try {
      const meta = ZOriginalMeta.parse(
        JSON.parse(await readFile(this.metaPath(documentId), "utf8")),
      );
      const bytes = await readFile(this.bytesPath(documentId));
      // Another save of the same id between the two reads: treat as missing rather than mix them.
      if (bytes.byteLength !== meta.bytes) return undefined;
      return { meta, bytes };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Forgets the original of `documentId` (nothing happens when there is none). */
  async remove(documentId: string): Promise<void> {
    // Metadata first: without it the bytes are never read, so a crash between the two is harmless.
    await rm(this.metaPath(documentId), { force: true });
    await rm(this.bytesPath(documentId), { force: true });
  }

  private bytesPath(documentId: string): string {
    return path.join(this.dir, `${documentId}.original`);
  }

  private metaPath(documentId: string): string {
    return path.join(this.dir, `${documentId}.json`);
  }

  private async writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
    // A unique temporary name: two saves of one id must not write into the same temporary file.
    const temporary = `${file}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, data, { mode: 0o600 });
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}
