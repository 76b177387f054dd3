import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

// Dogi's data (accounts, password hashes, refresh tokens, conversations) is readable by the
// account that runs it and no one else: folders 0700, files 0600, whatever the umask says.
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
// SQLite's side files hold recent writes too; it creates them with the main file's mode.
const SQLITE_COMPANIONS = ["-wal", "-shm", "-journal"];

/** Creates `dir` and any missing parents with mode 0700, and tightens `dir` to 0700 if it existed. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  const stat = statSync(dir);
  // A sticky folder (/tmp) is shared by design: taking it over would break other programs.
  if ((stat.mode & 0o1000) !== 0) return;
  try {
    chmodSync(dir, PRIVATE_DIR);
  } catch (error) {
    // A folder someone else owns cannot be tightened by us; the files inside still are.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
  }
}

/** The path of a `file:` SQLite URL, or undefined for an in-memory database. */
export function sqliteFilePath(url: string): string | undefined {
  const file = url.replace(/^file:(\/\/)?/, "").replace(/\?.*$/, "");
  return file === "" || file.startsWith(":memory:") ? undefined : file;
}

/**
 * Readies the SQLite file at `file` before a client opens it: its folder 0700, the file created
 * empty with mode 0600 (SQLite then gives its -wal/-shm files the same mode), and an existing file
 * and its companions tightened to 0600.
 */
export function preparePrivateSqliteFile(file: string): void {
  const absolute = path.resolve(file);
  ensurePrivateDir(path.dirname(absolute));
  // "a" creates the file if missing and never truncates one that exists.
  writeFileSync(absolute, "", { flag: "a", mode: PRIVATE_FILE });
  chmodSync(absolute, PRIVATE_FILE);
  for (const suffix of SQLITE_COMPANIONS) {
    try {
      chmodSync(absolute + suffix, PRIVATE_FILE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}
