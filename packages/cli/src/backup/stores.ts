import { chmod, copyFile, mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { createClient } from "@libsql/client";
import type { z } from "zod";
import { EnvError, loadEnv, ZAuthEnv, ZSessionEnv } from "@dogi/config";
import { sqliteFilePath } from "@dogi/config/private-files";
import { isPortFree } from "@dogi/servers";
import { launcherEnvironment } from "../env-file.ts";
import { launcherPorts, serviceSpecs, ZStartEnv } from "../launcher/services.ts";
import type { StoreName } from "./manifest.ts";

/** What `dogi backup` and `dogi restore` read: where `dogi start` keeps each store, and its ports. */
export const ZStoresEnv = ZStartEnv.extend({
  AUTH_DATABASE_URL: ZAuthEnv.shape.AUTH_DATABASE_URL,
  SESSION_DATABASE_URL: ZSessionEnv.shape.SESSION_DATABASE_URL,
});
export type TStoresEnv = z.infer<typeof ZStoresEnv>;

/** The environment for `command`, or undefined after printing what is wrong with it. */
export function loadStoresEnv(root: string, command: string): TStoresEnv | undefined {
  try {
    return loadEnv(ZStoresEnv, { service: command, source: launcherEnvironment(root) });
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    return undefined;
  }
}

/**
 * One embedded store: where it lives, or why it is not embedded here (and so not ours to copy).
 * The knowledge base is Chroma's folder and the rag service's kept originals (`documents`), which
 * a restore must put back together: an original belongs to the chunks of the same backup.
 */
export type StoreLocation =
  | { name: StoreName; kind: "sqlite"; file: string }
  | { name: StoreName; kind: "chroma-folder"; dir: string; documents: string }
  | { name: StoreName; kind: "elsewhere"; why: string };

/**
 * Where `dogi start` keeps the three stores: SQLite paths are relative to the repository root (the
 * services' working folder), Chroma's folder is DATA_DIR/chroma unless CHROMA_URL names a server,
 * and rag keeps its originals in DATA_DIR/rag/documents (services/rag/src/main.ts).
 */
export function storeLocations(root: string, env: TStoresEnv): StoreLocation[] {
  const sqlite = (name: StoreName, variable: string, url: string): StoreLocation => {
    const file = url.startsWith("file:") ? sqliteFilePath(url) : undefined;
    return file === undefined
      ? {
          name,
          kind: "elsewhere",
          why: `${variable} is a database server (back it up with infra/backup.sh)`,
        }
      : { name, kind: "sqlite", file: path.resolve(root, file) };
  };
  return [
    sqlite("auth", "AUTH_DATABASE_URL", env.AUTH_DATABASE_URL),
    sqlite("session", "SESSION_DATABASE_URL", env.SESSION_DATABASE_URL),
    env.CHROMA_URL === undefined
      ? {
          name: "knowledge",
          kind: "chroma-folder",
          dir: path.resolve(root, env.DATA_DIR, "chroma"),
          documents: path.resolve(root, env.DATA_DIR, "rag", "documents"),
        }
      : {
          name: "knowledge",
          kind: "elsewhere",
          why: "CHROMA_URL names a Chroma server (back up its own data)",
        },
  ];
}

/** The rag service's URL as `dogi start` runs it. */
export function ragUrl(root: string, env: TStoresEnv): string {
  const rag = serviceSpecs(root, env).find((spec) => spec.name === "rag");
  if (rag === undefined) throw new Error("no rag service in the launcher's list");
  return rag.url;
}

/** Which of Dogi's ports (services, and Chroma when the launcher runs it) something listens on. */
export async function dogiPortsInUse(root: string, env: TStoresEnv): Promise<string[]> {
  const wanted = launcherPorts(env, serviceSpecs(root, env), env.CHROMA_URL === undefined);
  const busy: string[] = [];
  for (const w of wanted)
    if (!(await isPortFree(w.port, w.host))) busy.push(`${w.who} (port ${w.port})`);
  return busy;
}

/**
 * Writes a consistent copy of the SQLite database `source` to `target` (which must not exist)
 * with VACUUM INTO: one read transaction, so a live database's concurrent writes are either all
 * in the copy or not at all, and the WAL's committed pages are included.
 */
export async function snapshotSqlite(source: string, target: string): Promise<void> {
  // Opening a missing file would create an empty database and back that up.
  await stat(source);
  const client = createClient({ url: `file:${source}`, timeout: 10_000 });
  try {
    await client.execute({ sql: "VACUUM INTO ?", args: [target] });
  } finally {
    client.close();
  }
  await chmod(target, 0o600);
}

/** Chroma's SQLite database inside its folder; the rest (segment folders) are plain files. */
export const CHROMA_SQLITE = "chroma.sqlite3";
const sqliteCompanions = new Set(["-wal", "-shm", "-journal"].map((s) => CHROMA_SQLITE + s));

/**
 * Copies a Chroma folder: chroma.sqlite3 through {@link snapshotSqlite} (Chroma may hold it open),
 * every other file as it is. Resolves to the copied files, relative to `target`, `/`-separated.
 */
export async function copyChromaFolder(source: string, target: string): Promise<string[]> {
  const copied: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    await mkdir(path.join(target, relative), { recursive: true, mode: 0o700 });
    const entries = await readdir(path.join(source, relative), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (!entry.isFile()) continue;
      else if (relative === "" && entry.name === CHROMA_SQLITE) {
        await snapshotSqlite(path.join(source, child), path.join(target, child));
        copied.push(child);
      } else if (relative !== "" || !sqliteCompanions.has(entry.name)) {
        await copyFile(path.join(source, child), path.join(target, child));
        await chmod(path.join(target, child), 0o600);
        copied.push(child);
      }
    }
  };
  await walk("");
  return copied;
}

/**
 * Copies the rag service's kept originals (`<id>.original` and `<id>.json`, one flat folder) to
 * `target`, mode 600 in a mode 700 folder. A save's temporary file (`*.tmp`, renamed into place
 * once written) is left out: it may be half written. Resolves to the copied names, sorted.
 */
export async function copyOriginals(source: string, target: string): Promise<string[]> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  const names = (await readdir(source, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".tmp"))
    .map((entry) => entry.name)
    .sort();
  const copied: string[] = [];
  for (const name of names) {
    try {
      await copyFile(path.join(source, name), path.join(target, name));
    } catch (error) {
      // rag forgets a deleted document's original just after its chunks, outside the pause: one
      // gone since the listing belongs to a document the copied chunks no longer hold.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    await chmod(path.join(target, name), 0o600);
    copied.push(name);
  }
  return copied;
}
