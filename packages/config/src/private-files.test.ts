import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensurePrivateDir, preparePrivateSqliteFile, sqliteFilePath } from "./private-files.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dogi-private-"));
  dirs.push(dir);
  return dir;
}

const modeOf = (file: string) => statSync(file).mode & 0o7777;

describe("private files", () => {
  it("creates the database's folders 0700 and the file 0600 whatever the umask", () => {
    const root = tempDir();
    const previous = process.umask(0o022);
    try {
      preparePrivateSqliteFile(path.join(root, "data", "nested", "auth.db"));
    } finally {
      process.umask(previous);
    }
    expect(modeOf(path.join(root, "data"))).toBe(0o700);
    expect(modeOf(path.join(root, "data", "nested"))).toBe(0o700);
    expect(modeOf(path.join(root, "data", "nested", "auth.db"))).toBe(0o600);
    expect(statSync(path.join(root, "data", "nested", "auth.db")).size).toBe(0);
  });

  it("tightens an existing database, its -wal and -shm files and its folder, keeping the data", () => {
    const data = path.join(tempDir(), "data");
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    for (const name of ["session.db", "session.db-wal", "session.db-shm"]) {
      writeFileSync(path.join(data, name), "rows", { mode: 0o644 });
      chmodSync(path.join(data, name), 0o644);
    }
    preparePrivateSqliteFile(path.join(data, "session.db"));
    expect(modeOf(data)).toBe(0o700);
    for (const name of ["session.db", "session.db-wal", "session.db-shm"]) {
      expect(modeOf(path.join(data, name))).toBe(0o600);
    }
    expect(statSync(path.join(data, "session.db")).size).toBe(4);
  });

  it("leaves a shared sticky folder such as /tmp as it is", () => {
    const shared = path.join(tempDir(), "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    ensurePrivateDir(shared);
    expect(modeOf(shared)).toBe(0o1777);
  });

  it("reads the path of a file: URL and skips in-memory databases", () => {
    expect(sqliteFilePath("file:data/auth.db")).toBe("data/auth.db");
    expect(sqliteFilePath("file:///var/lib/dogi/auth.db")).toBe("/var/lib/dogi/auth.db");
    expect(sqliteFilePath("file:data/auth.db?mode=rwc")).toBe("data/auth.db");
    expect(sqliteFilePath("file::memory:")).toBeUndefined();
    expect(sqliteFilePath(":memory:")).toBeUndefined();
  });
});
