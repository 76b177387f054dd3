import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { AuthStore, UserRecord } from "../store/interface.ts";
import { testProfile, testUserRecord } from "../testing/records.ts";
import { storeKinds } from "../testing/stores.ts";

// What infra/restore.sh runs in a one-off auth container: src/tombstones.ts as its own process,
// on each kind of store, exporting from the database being replaced and replaying on the restored one.
const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../tombstones.ts");
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

function runScript(
  command: string,
  url: string,
  stdin = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", tsxLoader, script, command],
      { env: { ...process.env, AUTH_DATABASE_URL: url, LOG_TO_FILE: "false" }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

const t0 = new Date("2026-12-01T00:00:00.000Z");
const user = () => testUserRecord(t0);
const profile = testProfile;

async function withUsers(store: AuthStore, count: number): Promise<UserRecord[]> {
  const users = Array.from({ length: count }, user);
  for (const record of users) await store.createUser(record, profile);
  return users;
}

for (const kind of storeKinds()) {
  describe.skipIf(kind.skip)(kind.title("tombstones across a restore (src/tombstones.ts)"), () => {
    afterAll(() => kind.stop());

    it("exports the replaced database's tombstones and replays them on the restored one", async () => {
      // The database a restore replaces: ann deleted her account after the backup was taken.
      const current = await kind.open();
      // The backup being restored: ann is still there, with bob.
      const restored = await kind.open();
      try {
        const [ann, bob] = await withUsers(restored.store, 2);
        if (!ann || !bob) throw new Error("no users");
        await current.store.createUser(ann, profile);
        await current.store.deleteUser(ann.userId, { pending: ["session"], now: t0 });

        const exported = await runScript("export", current.url);
        expect(exported.code, exported.stderr).toBe(0);
        expect(JSON.parse(exported.stdout)).toEqual([
          { userId: ann.userId, deletedAt: t0.toISOString() },
        ]);

        const replayed = await runScript("replay", restored.url, exported.stdout);
        expect(replayed.code, replayed.stderr).toBe(0);
        expect(JSON.parse(replayed.stdout)).toEqual({ insertedTombstones: 1, removedUsers: 1 });
        expect(await restored.store.findUserById(ann.userId)).toBeNull();
        expect(await restored.store.findUserById(bob.userId)).not.toBeNull();
        expect((await restored.store.listDeletions()).map((d) => [d.userId, d.pending])).toEqual([
          [ann.userId, ["session"]],
        ]);
      } finally {
        await current.dispose();
        await restored.dispose();
      }
    });

    it("refuses input that is not a list of tombstones, changing nothing", async () => {
      const restored = await kind.open();
      try {
        const [kept] = await withUsers(restored.store, 1);
        const replayed = await runScript("replay", restored.url, '[{"userId": ""}]');
        expect(replayed.code).not.toBe(0);
        expect(await restored.store.findUserById(kept?.userId ?? "")).not.toBeNull();
        expect(await restored.store.listDeletions()).toEqual([]);
      } finally {
        await restored.dispose();
      }
    });
  });
}
