import { describe, expect, it } from "vitest";
import { modesAfterEarlierRelease, modesOfNewSqliteStore } from "@dogi/testing";
import { createSqliteStore } from "./sqlite.ts";

const open = async (url: string) => {
  const store = createSqliteStore({ url, busyTimeoutMs: 5_000 });
  await store.init();
  return store;
};
const owner = { folder: 0o700, file: 0o600, wal: 0o600, shm: 0o600 };

describe("the SQLite session store's files", () => {
  it("keeps a new database in a 0700 folder, the file and its WAL files 0600", async () => {
    // WAL mode: SQLite made session.db-wal and -shm for the schema, with session.db's mode.
    expect(await modesOfNewSqliteStore("session.db", open)).toEqual(owner);
  });

  it("tightens a database left 0644 in a 0755 folder by an earlier release", async () => {
    expect(await modesAfterEarlierRelease("session.db", open)).toEqual(owner);
  });
});
