import { createHash } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { createStore } from "@dogi/auth/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseManifest } from "../backup/manifest.ts";
import { freeLauncherPorts } from "../testing/ports.ts";
import { repoRoot, runDogi } from "../testing/run-cli.ts";

// These run with Dogi stopped (nothing listens on the ports given), on SQLite files made with
// auth's own store and migrations; the live backup of a running Dogi is in
// backup-restore.live.test.ts.
const authMigration = path.join(repoRoot, "services/auth/drizzle/sqlite/0000_init.sql");

let dir = "";
let dataDir = "";
let env: Record<string, string> = {};

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dogi-restore-"));
  dataDir = path.join(dir, "data");
  env = {
    ...(await freeLauncherPorts()),
    DATA_DIR: dataDir,
    AUTH_DATABASE_URL: `file:${path.join(dataDir, "auth.db")}`,
    SESSION_DATABASE_URL: `file:${path.join(dataDir, "session.db")}`,
  };
  mkdirSync(path.join(dataDir, "chroma", "segment-1"), { recursive: true });
  await sql(path.join(dataDir, "chroma", "chroma.sqlite3"), ["CREATE TABLE embeddings (id)"]);
  writeFileSync(path.join(dataDir, "chroma", "segment-1", "data_level0.bin"), "vectors");
  await sql(path.join(dataDir, "session.db"), [
    "CREATE TABLE llm_sessions (session_id TEXT, user_id TEXT)",
    "INSERT INTO llm_sessions VALUES ('s-1', 'u-ann')",
  ]);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function sql(file: string, statements: readonly string[]): Promise<void> {
  const client = createClient({ url: `file:${file}` });
  try {
    for (const statement of statements) await client.execute(statement);
  } finally {
    client.close();
  }
}

async function rows(file: string, query: string): Promise<unknown[][]> {
  const client = createClient({ url: `file:${file}` });
  try {
    const result = await client.execute(query);
    return result.rows.map((row) => result.columns.map((_, i) => row[i]));
  } finally {
    client.close();
  }
}

const user = (id: string) => [
  `INSERT INTO users (user_id, email, password_hash, created_at, updated_at) VALUES ('${id}', '${id}@example.com', 'h', 1, 1)`,
  `INSERT INTO user_profiles (user_id, updated_at) VALUES ('${id}', 1)`,
  `INSERT INTO pets (pet_id, user_id, name, species, sex, known_conditions, created_at, updated_at) VALUES ('p-${id}', '${id}', 'Bori', 'dog', 'unknown', '[]', 1, 1)`,
  `INSERT INTO refresh_tokens (token_id, user_id, family_id, token_hash, created_at, expires_at) VALUES ('t-${id}', '${id}', 'f', 'hash-${id}', 1, 2)`,
];

const documentsDir = () => path.join(dataDir, "rag", "documents");

/**
 * Keeps an original in DATA_DIR/rag/documents as rag's OriginalStore does (`<id>.original` and
 * `<id>.json`, owner-only); the bytes include every byte value, so a text-mode copy would show.
 */
function keepOriginal(documentId: string, text: string): Buffer {
  const bytes = Buffer.concat([
    Buffer.from(text),
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  ]);
  mkdirSync(documentsDir(), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(documentsDir(), `${documentId}.original`), bytes, { mode: 0o600 });
  const meta = {
    fileName: `${documentId}.pdf`,
    bytes: bytes.byteLength,
    savedAt: new Date().toISOString(),
  };
  writeFileSync(path.join(documentsDir(), `${documentId}.json`), JSON.stringify(meta), {
    mode: 0o600,
  });
  return bytes;
}

/** auth.db migrated by auth's store, with two users (ann, bob) each with a pet and a refresh token. */
async function makeAuthDb(): Promise<string> {
  const file = path.join(dataDir, "auth.db");
  const store = createStore(`file:${file}`);
  await store.migrate();
  await store.close();
  await sql(file, [...user("u-ann"), ...user("u-bob")]);
  return file;
}

/**
 * auth.db of a release before durable deletions: the first migration only, as that release's
 * drizzle migrator left it (its journal names that migration alone).
 */
async function makeOldAuthDb(): Promise<string> {
  const file = await makeAuthDb();
  // That release had only the first migration's tables: the later ones' go too.
  await sql(file, [
    "DROP TABLE account_deletions",
    "DROP TABLE pet_health_entries",
    "DROP TABLE audit_log",
    "DROP INDEX users_role_idx",
    "ALTER TABLE users DROP COLUMN role",
    "ALTER TABLE users DROP COLUMN last_sign_in_at",
    "DELETE FROM __drizzle_migrations WHERE created_at <> (SELECT MIN(created_at) FROM __drizzle_migrations)",
  ]);
  return file;
}

/** auth.db with auth's tables made by hand, not by its migrator: migrating it fails. */
async function makeUnmigratableAuthDb(): Promise<string> {
  const file = path.join(dataDir, "auth.db");
  const migration = readFileSync(authMigration, "utf8")
    .split("--> statement-breakpoint")
    .map((statement) => statement.trim())
    .filter((statement) => statement !== "");
  await sql(file, [...migration, ...user("u-ann"), ...user("u-bob")]);
  return file;
}

/** Deletes an account as auth does (rows and tombstone in one transaction); `finished`: the session store was cleaned too. */
async function deleteAccount(file: string, userId: string, finished = false): Promise<void> {
  const store = createStore(`file:${file}`);
  try {
    await store.deleteUser(userId, { pending: ["session"], now: new Date() });
    if (finished) await store.markDeletionStoreDone(userId, "session", new Date());
  } finally {
    await store.close();
  }
}

async function run(args: string[]): Promise<{ code: number | string; output: string }> {
  const dogi = runDogi(args, { env });
  const code = await dogi.exited;
  return { code, output: dogi.output() };
}

/** Runs `dogi backup` into a new folder and returns it. */
async function backUp(): Promise<string> {
  const out = path.join(dir, "backup");
  const backup = await run(["backup", out]);
  expect(backup.code, backup.output).toBe(0);
  return out;
}

/**
 * Every file under `folder` with a SHA-256 sum: what "untouched" means. A SQLite database is
 * summed by its rows, table by table: opening one may fold its write-ahead log into the file (and
 * remove "-wal"/"-shm"), which moves bytes but changes no data; other files by their bytes.
 */
async function fingerprint(folder: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || /-(wal|shm|journal)$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = readFileSync(file);
    const content = bytes.subarray(0, 16).toString("latin1").startsWith("SQLite format 3")
      ? JSON.stringify(await tablesOf(file))
      : bytes;
    result[path.relative(folder, file)] = createHash("sha256").update(content).digest("hex");
  }
  return result;
}

async function tablesOf(file: string): Promise<Record<string, unknown[][]>> {
  const tables: Record<string, unknown[][]> = {};
  for (const [name] of await rows(
    file,
    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
  ))
    tables[String(name)] = await rows(file, `SELECT * FROM "${String(name)}" ORDER BY rowid`);
  return tables;
}

describe("dogi backup and dogi restore with Dogi stopped", () => {
  it("copies the files directly when rag does not answer, and says so", async () => {
    await makeAuthDb();
    const out = path.join(dir, "backup");
    const backup = await run(["backup", out]);
    expect(backup.code, backup.output).toBe(0);
    expect(backup.output).toMatch(
      /does not answer \(Dogi is not running\): copying Chroma's files directly/,
    );
    expect(readdirSync(out, { recursive: true }).sort()).toEqual(
      [
        "MANIFEST",
        "SHA256SUMS",
        "auth.db",
        "chroma",
        "chroma/chroma.sqlite3",
        "chroma/segment-1",
        "chroma/segment-1/data_level0.bin",
        "session.db",
      ].map((p) => p.split("/").join(path.sep)),
    );
    expect(await rows(path.join(out, "auth.db"), "SELECT user_id FROM users ORDER BY 1")).toEqual([
      ["u-ann"],
      ["u-bob"],
    ]);
  });

  it("refuses a folder that is not empty, and says when there is nothing to back up", async () => {
    await makeAuthDb();
    const used = path.join(dir, "used");
    mkdirSync(used);
    writeFileSync(path.join(used, "auth.db"), "an older backup");
    const refused = await run(["backup", used]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("is not empty; give a new folder");
    expect(readFileSync(path.join(used, "auth.db"), "utf8")).toBe("an older backup");

    rmSync(dataDir, { recursive: true });
    const empty = path.join(dir, "empty");
    const nothing = await run(["backup", empty]);
    expect(nothing.code).toBe(1);
    expect(nothing.output).toMatch(/auth: skipped, .*auth\.db does not exist/);
    expect(nothing.output).toContain("no embedded store to back up");
    expect(existsSync(empty)).toBe(false);
  });

  it("refuses a backup whose sum does not match, or whose manifest was edited, and changes nothing", async () => {
    await makeAuthDb();
    const out = await backUp();
    await sql(path.join(dataDir, "auth.db"), ["DELETE FROM pets WHERE user_id = 'u-bob'"]);
    const before = await fingerprint(dataDir);

    appendFileSync(path.join(out, "session.db"), "tampered");
    const tampered = await run(["restore", out]);
    expect(tampered.code).toBe(1);
    expect(tampered.output).toMatch(/session\.db: FAILED/);
    expect(tampered.output).toMatch(/Nothing was changed/);
    expect(await fingerprint(dataDir)).toEqual(before);
    expect(readdirSync(dataDir).filter((name) => name.startsWith("."))).toEqual([]);

    // A manifest edited to match a changed file is caught by SHA256SUMS, which covers it.
    const manifest = readFileSync(path.join(out, "MANIFEST"), "utf8");
    writeFileSync(path.join(out, "MANIFEST"), manifest.replace(/^backup-id: .*$/m, "backup-id: x"));
    const edited = await run(["restore", out]);
    expect(edited.code).toBe(1);
    expect(edited.output).toMatch(/MANIFEST: FAILED/);
    expect(await fingerprint(dataDir)).toEqual(before);
  });

  it("restores over existing data, keeping what it replaced aside", async () => {
    await makeAuthDb();
    const out = await backUp();
    await sql(path.join(dataDir, "auth.db"), ["DELETE FROM pets"]);
    writeFileSync(path.join(dataDir, "chroma", "segment-1", "data_level0.bin"), "newer vectors");

    const restore = await run(["restore", out]);
    expect(restore.code, restore.output).toBe(0);
    expect(await rows(path.join(dataDir, "auth.db"), "SELECT pet_id FROM pets ORDER BY 1")).toEqual(
      [["p-u-ann"], ["p-u-bob"]],
    );
    expect(readFileSync(path.join(dataDir, "chroma", "segment-1", "data_level0.bin"), "utf8")).toBe(
      "vectors",
    );
    const aside = readdirSync(dataDir).filter((name) => name.startsWith("."));
    expect(aside).toEqual([expect.stringMatching(/^\.pre-restore-\d{8}T\d{6}Z$/)]);
    const kept = path.join(dataDir, aside[0] ?? "");
    expect(
      readFileSync(path.join(kept, "knowledge", "chroma", "segment-1", "data_level0.bin"), "utf8"),
    ).toBe("newer vectors");
    expect(restore.output).toContain(`the data it replaced is in ${kept}`);
  });

  it("backs up the kept originals with Chroma's files and restores them byte for byte, keeping newer ones aside", async () => {
    await makeAuthDb();
    const guide = keepOriginal("doc-guide", "vaccination guide");
    const guideMeta = readFileSync(path.join(documentsDir(), "doc-guide.json"));
    // A save under way: rag writes a temporary file and renames it, so a half-written one is left out.
    writeFileSync(path.join(documentsDir(), "doc-late.original.1b2c.tmp"), "half");
    const out = await backUp();

    expect(readdirSync(path.join(out, "documents")).sort()).toEqual([
      "doc-guide.json",
      "doc-guide.original",
    ]);
    expect(statSync(path.join(out, "documents")).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(out, "documents", "doc-guide.original")).mode & 0o777).toBe(0o600);
    const manifest = parseManifest(readFileSync(path.join(out, "MANIFEST"), "utf8"));
    const knowledge = manifest.stores.find((store) => store.name === "knowledge");
    expect(knowledge?.files.map((f) => f.path).filter((p) => p.startsWith("documents/"))).toEqual([
      "documents/doc-guide.json",
      "documents/doc-guide.original",
    ]);
    expect(knowledge?.files).toContainEqual({
      path: "documents/doc-guide.original",
      sha256: createHash("sha256").update(guide).digest("hex"),
    });

    // After the backup: the guide is deleted (with its original) and another document uploaded.
    rmSync(path.join(documentsDir(), "doc-guide.original"));
    rmSync(path.join(documentsDir(), "doc-guide.json"));
    const leaflet = keepOriginal("doc-leaflet", "deworming leaflet");
    const restore = await run(["restore", out]);
    expect(restore.code, restore.output).toBe(0);

    expect(readdirSync(documentsDir()).sort()).toEqual(["doc-guide.json", "doc-guide.original"]);
    expect(readFileSync(path.join(documentsDir(), "doc-guide.original")).equals(guide)).toBe(true);
    expect(readFileSync(path.join(documentsDir(), "doc-guide.json")).equals(guideMeta)).toBe(true);
    expect(statSync(documentsDir()).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(documentsDir(), "doc-guide.original")).mode & 0o777).toBe(0o600);
    const [aside = ""] = readdirSync(dataDir).filter((name) => name.startsWith(".pre-restore-"));
    const keptAside = path.join(dataDir, aside, "knowledge", "documents");
    expect(readFileSync(path.join(keptAside, "doc-leaflet.original")).equals(leaflet)).toBe(true);
    expect(restore.output).not.toMatch(/holds no kept originals/);
  });

  it("restores a backup without kept originals, moving the originals here aside with the chunks they belong to", async () => {
    await makeAuthDb();
    // No DATA_DIR/rag/documents: the backup is laid out as one of a release before originals.
    const out = await backUp();
    expect(readFileSync(path.join(out, "MANIFEST"), "utf8")).not.toMatch(/documents\//);
    const leaflet = keepOriginal("doc-leaflet", "deworming leaflet");

    const restore = await run(["restore", out]);
    expect(restore.code, restore.output).toBe(0);
    expect(existsSync(documentsDir())).toBe(false);
    expect(readFileSync(path.join(dataDir, "chroma", "segment-1", "data_level0.bin"), "utf8")).toBe(
      "vectors",
    );
    const [aside = ""] = readdirSync(dataDir).filter((name) => name.startsWith(".pre-restore-"));
    const keptAside = path.join(dataDir, aside, "knowledge", "documents");
    expect(readFileSync(path.join(keptAside, "doc-leaflet.original")).equals(leaflet)).toBe(true);
    expect(restore.output).toContain(
      `the backup holds no kept originals (none uploaded, or taken before Dogi kept them); the ones that were here belong to other chunks and are in ${keptAside}`,
    );
  });

  it("carries account deletions made after the backup across the restore, and reopens finished ones", async () => {
    const auth = await makeAuthDb();
    // Before the backup, bob deleted his account and the deletion finished everywhere.
    await deleteAccount(auth, "u-bob", true);
    const out = await backUp();
    // After the backup, ann deletes hers: auth removes her rows and records a tombstone.
    await deleteAccount(auth, "u-ann");

    const restore = await run(["restore", out]);
    expect(restore.code, restore.output).toBe(0);
    expect(restore.output).toMatch(
      /tombstones: 2 carried over \(1 not in the backup\), 1 deleted accounts removed again/,
    );
    expect(await rows(auth, "SELECT user_id FROM users")).toEqual([]);
    for (const table of ["user_profiles", "pets", "refresh_tokens"])
      expect(await rows(auth, `SELECT user_id FROM ${table}`), table).toEqual([]);
    // Both pending again: the restored session store may hold what either left behind.
    expect(
      await rows(
        auth,
        "SELECT user_id, pending, completed_at FROM account_deletions ORDER BY user_id",
      ),
    ).toEqual([
      ["u-ann", "session", null],
      ["u-bob", "session", null],
    ]);
  });

  it("restores a backup of a release without durable deletions, bringing its schema up to date", async () => {
    await makeOldAuthDb();
    const out = await backUp();
    const restore = await run(["restore", out]);
    expect(restore.code, restore.output).toBe(0);
    expect(restore.output).toMatch(
      /tombstones: none carried over \(the auth database has no account_deletions table yet\)/,
    );
    const auth = path.join(dataDir, "auth.db");
    expect(await rows(auth, "SELECT user_id FROM users ORDER BY user_id")).toEqual([
      ["u-ann"],
      ["u-bob"],
    ]);
    expect(await rows(auth, "SELECT COUNT(*) FROM account_deletions")).toEqual([[0]]);
  });

  it("puts the previous data back when a step after the move fails", async () => {
    // The backup's auth database was not made by auth's migrator, so bringing it up to date fails.
    await makeUnmigratableAuthDb();
    const out = await backUp();
    rmSync(path.join(dataDir, "auth.db"));
    const auth = await makeAuthDb();
    await deleteAccount(auth, "u-ann");
    // Originals kept since the backup (which has none) go aside with Chroma's folder, and back.
    keepOriginal("doc-leaflet", "deworming leaflet");
    const before = await fingerprint(dataDir);

    const restore = await run(["restore", out]);
    expect(restore.code).toBe(1);
    expect(restore.output).toMatch(/already exists[\s\S]*The restore was undone/);
    expect(await fingerprint(dataDir)).toEqual(before);
    expect(readdirSync(dataDir).filter((name) => name.startsWith("."))).toEqual([]);
  });
});
