import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSqliteStore } from "./sqlite.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe("the SQLite session store's files", () => {
  it("keeps a new database in a 0700 folder, the file and its WAL files 0600", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "dogi-session-files-"));
    dirs.push(root);
    const file = path.join(root, "data", "session.db");
    const store = createSqliteStore({ url: `file:${file}`, busyTimeoutMs: 5_000 });
    try {
      await store.init();
      expect(modeOf(path.join(root, "data"))).toBe(0o700);
      expect(modeOf(file)).toBe(0o600);
      // WAL mode: SQLite made session.db-wal and -shm for the schema, with session.db's mode.
      expect(modeOf(`${file}-wal`)).toBe(0o600);
      expect(modeOf(`${file}-shm`)).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it("tightens a database left 0644 in a 0755 folder by an earlier release", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "dogi-session-files-"));
    dirs.push(root);
    const data = path.join(root, "data");
    mkdirSync(data);
    chmodSync(data, 0o755);
    // An earlier release's process, still holding the database open: its -wal and -shm exist.
    const earlier = createSqliteStore({
      url: `file:${path.join(data, "session.db")}`,
      busyTimeoutMs: 5_000,
    });
    await earlier.init();
    for (const name of ["session.db", "session.db-wal", "session.db-shm"]) {
      chmodSync(path.join(data, name), 0o644);
    }

    const store = createSqliteStore({
      url: `file:${path.join(data, "session.db")}`,
      busyTimeoutMs: 5_000,
    });
    try {
      await store.init();
      expect(modeOf(data)).toBe(0o700);
      for (const name of ["session.db", "session.db-wal", "session.db-shm"]) {
        expect(modeOf(path.join(data, name))).toBe(0o600);
      }
    } finally {
      await store.close();
      await earlier.close();
    }
  });
});
