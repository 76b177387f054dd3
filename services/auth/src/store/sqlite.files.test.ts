import { describe, expect, it } from "vitest";
import { modesAfterEarlierRelease, modesOfNewSqliteStore } from "@dogi/testing";
import { createSqliteStore } from "./sqlite.ts";

const open = async (url: string) => {
  const store = createSqliteStore(url);
  await store.migrate();
  return store;
};
const owner = { folder: 0o700, file: 0o600, wal: 0o600, shm: 0o600 };

describe("the SQLite auth store's files", () => {
  it("keeps a new database in a 0700 folder, the file and its WAL files 0600", async () => {
    // WAL mode: SQLite made auth.db-wal and -shm for the migration's writes, with auth.db's mode.
    expect(await modesOfNewSqliteStore("auth.db", open)).toEqual(owner);
  });

  it("tightens a database left 0644 in a 0755 folder by an earlier release", async () => {
    expect(await modesAfterEarlierRelease("auth.db", open)).toEqual(owner);
  });
});
