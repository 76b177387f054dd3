import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Opens (creating or migrating) a SQLite store at a `file:` URL, as a service does at start. */
export type OpenSqliteStore = (url: string) => Promise<{ close(): Promise<void> }>;

/** The permission bits of a SQLite database's folder, file and WAL files. */
export interface SqliteFileModes {
  folder: number;
  file: number;
  wal: number;
  shm: number;
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

function modesOf(folder: string, name: string): SqliteFileModes {
  const file = path.join(folder, name);
  return {
    folder: modeOf(folder),
    file: modeOf(file),
    wal: modeOf(`${file}-wal`),
    shm: modeOf(`${file}-shm`),
  };
}

async function inTempRoot<T>(use: (data: string) => Promise<T>): Promise<T> {
  const root = mkdtempSync(path.join(os.tmpdir(), "dogi-sqlite-files-"));
  try {
    return await use(path.join(root, "data"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function modesWhileOpen(
  open: OpenSqliteStore,
  data: string,
  name: string,
): Promise<SqliteFileModes> {
  const store = await open(`file:${path.join(data, name)}`);
  try {
    return modesOf(data, name);
  } finally {
    await store.close();
  }
}

/** Opens a new database `name` in a data folder that does not exist yet; its modes while open. */
export function modesOfNewSqliteStore(
  name: string,
  open: OpenSqliteStore,
): Promise<SqliteFileModes> {
  return inTempRoot((data) => modesWhileOpen(open, data, name));
}

/**
 * Opens database `name` where an earlier release, still holding it open (its -wal and -shm
 * exist), left it 0644 in a 0755 folder; the modes while the new store has it open.
 */
export function modesAfterEarlierRelease(
  name: string,
  open: OpenSqliteStore,
): Promise<SqliteFileModes> {
  return inTempRoot(async (data) => {
    mkdirSync(data);
    chmodSync(data, 0o755);
    const earlier = await open(`file:${path.join(data, name)}`);
    try {
      for (const file of [name, `${name}-wal`, `${name}-shm`])
        chmodSync(path.join(data, file), 0o644);
      return await modesWhileOpen(open, data, name);
    } finally {
      await earlier.close();
    }
  });
}
