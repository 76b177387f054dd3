import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { infraDir, requireTool } from "./compose-file.ts";

const scripts = ["backup.sh", "restore.sh"].map((name) => path.join(infraDir, name));
const fakeDocker = path.join(infraDir, "test", "fake-docker.sh");
const shellFiles = [
  ...scripts,
  path.join(infraDir, "backup-common.sh"),
  fakeDocker,
  path.join(infraDir, "test", "fake-container-tool.sh"),
];
// The containers' root passwords as the fake gives them; no command line may show them.
const mysqlPassword = "mysql-root-Secret-4d1f";
const mongoPassword = "mongo-root-Secret-9c2e'quoted";

describe("backup.sh and restore.sh as shell code", () => {
  it.each(scripts)("%s parses (bash -n)", (script) => {
    const result = spawnSync("bash", ["-n", script], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  const shellcheck = requireTool("shellcheck", "apt-get install -y shellcheck");
  it.skipIf(shellcheck.skip).each(shellFiles)(
    shellcheck.title("%s passes shellcheck"),
    (script) => {
      shellcheck.assertPresent();
      // -x: follow the scripts' `source` of backup-common.sh.
      const result = spawnSync("shellcheck", ["--severity=style", "-x", script], {
        encoding: "utf8",
      });
      expect(result.stdout).toBe("");
      expect(result.status).toBe(0);
    },
  );
});

// The real test (against MySQL, MongoDB and Chroma containers) needs a Docker engine, which does
// not run here: see the restore test plan in infra/README.md. These tests run the scripts against
// a fake `docker` that records its calls, to check their own logic: what they dump, in what
// order they stop and start things, and what they refuse.
describe("backup.sh and restore.sh against a fake docker", () => {
  let dir = "";

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dogi-backup-"));
    fs.mkdirSync(path.join(dir, "chroma-data", "collection"), { recursive: true });
    fs.writeFileSync(path.join(dir, "chroma-data", "chroma.sqlite3"), "fake chroma db");
    fs.writeFileSync(path.join(dir, "chroma-data", "collection", "index.bin"), "vectors");
    // rag's volume: one kept original (every byte value) and a save still under way.
    fs.mkdirSync(documents(), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(documents(), "doc-guide.original"), guide, { mode: 0o600 });
    fs.writeFileSync(path.join(documents(), "doc-guide.json"), '{"fileName":"guide.pdf"}');
    fs.writeFileSync(path.join(documents(), "doc-late.original.5e1f.tmp"), "half");
  });

  const documents = () => path.join(dir, "rag-data", "rag", "documents");
  const guide = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function run(script: string, args: string[], env: Record<string, string> = {}, input?: string) {
    const result = spawnSync("bash", [path.join(infraDir, script), ...args], {
      encoding: "utf8",
      input,
      env: {
        PATH: process.env.PATH ?? "",
        DOCKER: fakeDocker,
        FAKE_DIR: dir,
        FAKE_RUNNING: "mysql,mongodb,chromadb,auth,session,rag,gateway",
        FAKE_MYSQL_PASSWORD: mysqlPassword,
        FAKE_MONGO_PASSWORD: mongoPassword,
        DOGI_ENV_FILE: path.join(dir, "no.env"),
        DOGI_RESTORE_STATE_DIR: path.join(dir, "state"),
        ...env,
      },
    });
    return result;
  }

  const calls = (file = "calls") =>
    fs
      .readFileSync(path.join(dir, file), "utf8")
      .trim()
      .split("\n")
      .map((line) => line.replace(/^compose -f \S+ /, ""));

  it("writes the three dumps with checksums, owner-only, and restarts Chroma after archiving it", () => {
    const out = path.join(dir, "backup");
    const result = run("backup.sh", [out]);
    expect(result.stderr).toMatch(/backup \d{8}T\d{6}Z-[0-9a-f]{8} written to/);
    expect(result.status).toBe(0);

    const sql = zlib.gunzipSync(fs.readFileSync(path.join(out, "mysql.sql.gz"))).toString();
    expect(sql).toContain("CREATE TABLE users");
    expect(zlib.gunzipSync(fs.readFileSync(path.join(out, "mongodb.archive.gz"))).toString()).toBe(
      "fake mongodump archive\n",
    );
    const listing = spawnSync("tar", ["-tzf", path.join(out, "chroma.tar.gz")], {
      encoding: "utf8",
    });
    expect(listing.stdout).toContain("./collection/index.bin");
    const check = spawnSync("sha256sum", ["--check", "SHA256SUMS"], { cwd: out, encoding: "utf8" });
    expect(check.status).toBe(0);
    expect(
      fs
        .readFileSync(path.join(out, "SHA256SUMS"), "utf8")
        .trim()
        .split("\n")
        .map((line) => line.slice(66)),
    ).toEqual([
      "chroma.tar.gz",
      "mongodb.archive.gz",
      "mysql.sql.gz",
      "rag-documents.tar.gz",
      "images.json",
      "MANIFEST",
    ]);
    const originals = spawnSync("tar", ["-tzf", path.join(out, "rag-documents.tar.gz")], {
      encoding: "utf8",
    });
    expect(originals.stdout.trim().split("\n").sort()).toEqual([
      "documents/",
      "documents/doc-guide.json",
      "documents/doc-guide.original",
    ]);
    expect(fs.statSync(path.join(out, "mysql.sql.gz")).mode & 0o077).toBe(0);

    const log = calls();
    const mysqldump = log.find((c) => c.includes("mysqldump")) ?? "";
    expect(mysqldump).toContain("--single-transaction");
    expect(mysqldump).toContain("--default-character-set=utf8mb4");
    const stop = log.indexOf("stop chromadb");
    const archive = log.findIndex((c) => c.includes("--entrypoint tar chromadb -czf - -C /data ."));
    const start = log.indexOf("start chromadb");
    // While Chroma is stopped no ingest succeeds, so the originals match the archived chunks.
    const originalsArchive = log.findIndex((c) => c.includes("--entrypoint sh rag -c"));
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(archive).toBeGreaterThan(stop);
    expect(originalsArchive).toBeGreaterThan(stop);
    expect(start).toBeGreaterThan(Math.max(archive, originalsArchive));
  });

  it("skips stores that are not running and fails when none is", () => {
    const partial = run("backup.sh", [path.join(dir, "partial")], { FAKE_RUNNING: "mongodb" });
    expect(partial.status).toBe(0);
    expect(fs.readdirSync(path.join(dir, "partial")).sort()).toEqual([
      "MANIFEST",
      "SHA256SUMS",
      "images.json",
      "mongodb.archive.gz",
    ]);
    const manifest = fs.readFileSync(path.join(dir, "partial", "MANIFEST"), "utf8");
    expect(manifest.match(/^store: .*$/gm)).toEqual([
      expect.stringMatching(/^store: session mongodb \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    ]);
    expect(partial.stderr).toContain("MySQL is not running: skipped");

    const none = run("backup.sh", [path.join(dir, "none")], { FAKE_RUNNING: "gateway" });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain("nothing to back up");
    expect(fs.existsSync(path.join(dir, "none"))).toBe(false);
  });

  it("refuses to write into a folder that is not empty", () => {
    const out = path.join(dir, "used");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "mysql.sql.gz"), "an older backup");
    const result = run("backup.sh", [out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is not empty");
    expect(fs.readFileSync(path.join(out, "mysql.sql.gz"), "utf8")).toBe("an older backup");
  });

  it("restores every part in order, with the writers stopped, and starts them again", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    fs.rmSync(path.join(dir, "calls"));

    const result = run("restore.sh", ["--yes", out]);
    expect(result.stderr).toContain("restored mysql mongodb chromadb");
    expect(result.status).toBe(0);

    const original = zlib.gunzipSync(fs.readFileSync(path.join(out, "mysql.sql.gz"))).toString();
    expect(fs.readFileSync(path.join(dir, "restored-mysql.sql"), "utf8")).toBe(original);
    expect(fs.readFileSync(path.join(dir, "restored-mongodb.archive.gz"))).toEqual(
      fs.readFileSync(path.join(out, "mongodb.archive.gz")),
    );
    expect(fs.readFileSync(path.join(dir, "restored-chroma.tar.gz"))).toEqual(
      fs.readFileSync(path.join(out, "chroma.tar.gz")),
    );
    expect(fs.readFileSync(path.join(dir, "mysql-execute"), "utf8")).toContain(
      "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    );

    const log = calls();
    const order = [
      log.indexOf("stop gateway auth session rag"),
      log.findIndex((c) => c.endsWith("src/tombstones.ts export")),
      log.findIndex((c) => c.includes("--execute=")),
      log.findIndex((c) => c.endsWith("--default-character-set=utf8mb4")),
      log.findIndex((c) => c.includes("mongorestore") && c.includes("--drop")),
      log.findIndex((c) => c.includes("tar -xzf - -C /data")),
      log.indexOf("up -d --no-deps --wait chromadb"),
      log.findIndex((c) => c.includes("--entrypoint sh rag -c") && c.includes("tar -xzf")),
      log.findIndex((c) => c.endsWith("src/tombstones.ts replay")),
      log.indexOf("start gateway auth session rag"),
    ];
    expect(
      order.every((index) => index >= 0),
      JSON.stringify(log, null, 1),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("puts rag's kept originals back byte for byte, moving the ones kept since aside in its volume", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    // After the backup: the guide is deleted with its original, a leaflet uploaded.
    fs.rmSync(documents(), { recursive: true });
    fs.mkdirSync(documents(), { mode: 0o700 });
    fs.writeFileSync(path.join(documents(), "doc-leaflet.original"), "deworming leaflet");

    const result = run("restore.sh", ["--yes", out]);
    expect(result.status, result.stderr).toBe(0);
    expect(fs.readdirSync(documents()).sort()).toEqual(["doc-guide.json", "doc-guide.original"]);
    expect(fs.readFileSync(path.join(documents(), "doc-guide.original"))).toEqual(guide);
    expect(fs.statSync(path.join(documents(), "doc-guide.original")).mode & 0o777).toBe(0o600);
    const rag = path.dirname(documents());
    const [aside = ""] = fs.readdirSync(rag).filter((name) => name.startsWith("pre-restore-"));
    expect(
      fs.readFileSync(path.join(rag, aside, "documents", "doc-leaflet.original"), "utf8"),
    ).toBe("deworming leaflet");
    expect(result.stderr).toContain(`the ones it had go to rag/${aside} in its volume`);
  });

  it("restores a backup without kept originals, moving rag's aside, as they belong to other chunks", () => {
    const out = path.join(dir, "backup");
    // A host where rag did not run (or a release before originals): the backup has none.
    const backup = run("backup.sh", [out], { FAKE_RUNNING: "mysql,mongodb,chromadb" });
    expect(backup.status).toBe(0);
    expect(fs.existsSync(path.join(out, "rag-documents.tar.gz"))).toBe(false);
    expect(fs.readFileSync(path.join(out, "MANIFEST"), "utf8")).not.toContain("rag-documents");

    const result = run("restore.sh", ["--yes", out]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("restored mysql mongodb chromadb");
    expect(fs.existsSync(documents())).toBe(false);
    const rag = path.dirname(documents());
    const [aside = ""] = fs.readdirSync(rag).filter((name) => name.startsWith("pre-restore-"));
    expect(fs.readFileSync(path.join(rag, aside, "documents", "doc-guide.original"))).toEqual(
      guide,
    );
    expect(result.stderr).toContain("the backup holds no kept originals");

    // Where rag does not run either, its volume is not this restore's to touch.
    fs.rmSync(path.join(dir, "rag-data"), { recursive: true });
    const norag = run("restore.sh", ["--yes", out], { FAKE_RUNNING: "mysql,mongodb,chromadb" });
    expect(norag.status, norag.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, "rag-data"))).toBe(false);
  });

  it("refuses a backup whose checksum does not match, before touching anything", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    fs.appendFileSync(path.join(out, "mongodb.archive.gz"), "corrupted");
    fs.rmSync(path.join(dir, "calls"));

    const result = run("restore.sh", ["--yes", out]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/mongodb\.archive\.gz: FAILED/);
    expect(fs.existsSync(path.join(dir, "calls"))).toBe(false);
  });

  it("asks before overwriting and stops when the answer is not 'restore'", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    const result = run("restore.sh", [out], {}, "yes\n");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("cancelled");
    expect(fs.existsSync(path.join(dir, "restored-mysql.sql"))).toBe(false);
  });

  it("names one backup in MANIFEST: its id, time, release, and each store with its file's sum", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    const manifest = fs.readFileSync(path.join(out, "MANIFEST"), "utf8");
    expect(manifest).toMatch(/^format: dogi-backup 1$/m);
    expect(manifest).toMatch(/^backup-id: \d{8}T\d{6}Z-[0-9a-f]{8}$/m);
    expect(manifest).toMatch(/^created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    expect(manifest).toMatch(/^dogi-version: 0\.1\.0$/m);
    expect(manifest).toMatch(/^dogi-commit: ([0-9a-f]{40}|unknown)$/m);
    expect(manifest).toMatch(/^source: compose$/m);
    const sums = fs.readFileSync(path.join(out, "SHA256SUMS"), "utf8");
    const files = [...manifest.matchAll(/^file: (\S+) ([0-9a-f]{64}) (\S+)$/gm)];
    expect(files.map((m) => [m[1], m[3]])).toEqual([
      ["auth", "mysql.sql.gz"],
      ["session", "mongodb.archive.gz"],
      ["knowledge", "chroma.tar.gz"],
      ["knowledge", "rag-documents.tar.gz"],
    ]);
    for (const [, , sum, file] of files) expect(sums).toContain(`${sum}  ${file}\n`);
    expect(manifest.match(/^store: (\S+ \S+)/gm)).toEqual([
      "store: auth mysql",
      "store: session mongodb",
      "store: knowledge chroma-volume",
    ]);

    const restore = run("restore.sh", ["--yes", out]);
    expect(restore.status).toBe(0);
    const id = /^backup-id: (.*)$/m.exec(manifest)?.[1] ?? "";
    expect(restore.stderr).toContain(`restored mysql mongodb chromadb from backup ${id}`);
  });

  it("puts no password on any command line: MySQL's in MYSQL_PWD, MongoDB's in a private --config file", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    expect(run("restore.sh", ["--yes", out]).status).toBe(0);

    const argv = [...calls(), ...calls("container-calls")];
    expect(
      argv.filter((c) => c.startsWith("mongodump") || c.startsWith("mongorestore")),
    ).toHaveLength(2);
    expect(argv.filter((c) => /^mysql(dump)? /.test(c))).toHaveLength(3);
    for (const line of argv) {
      expect(line).not.toContain(mysqlPassword);
      expect(line).not.toContain("Secret");
      expect(line).not.toContain("--password");
    }
    for (const tool of ["mongodump", "mongorestore"]) {
      // The YAML holds the password exactly (a quote doubled inside single quotes), owner-only,
      // and is gone once the tool has run.
      expect(fs.readFileSync(path.join(dir, `${tool}-config`), "utf8")).toBe(
        `password: '${mongoPassword.replace("'", "''")}'\n`,
      );
      expect(fs.readFileSync(path.join(dir, `${tool}-config-mode`), "utf8").trim()).toBe("600");
      const configPath = fs.readFileSync(path.join(dir, `${tool}-config-path`), "utf8").trim();
      expect(fs.existsSync(configPath)).toBe(false);
    }
  });

  it("refuses a backup of the embedded stores, pointing to pnpm dogi restore", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    const manifest = path.join(out, "MANIFEST");
    fs.writeFileSync(
      manifest,
      fs.readFileSync(manifest, "utf8").replace("source: compose", "source: embedded"),
    );
    spawnSync("sh", ["-c", "sha256sum -- *.gz images.json MANIFEST >SHA256SUMS"], { cwd: out });
    fs.rmSync(path.join(dir, "calls"));

    const result = run("restore.sh", ["--yes", out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("restore it with pnpm dogi restore");
    expect(fs.existsSync(path.join(dir, "calls"))).toBe(false);
  });

  it("carries the account deletions recorded since the backup across it, through the auth image", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    const tombstones = JSON.stringify([
      { userId: "0b5e6c1e-5f4a-4d8e-9a55-1f2d3c4b5a69", deletedAt: "2026-12-07T00:00:00.000Z" },
    ]);
    fs.writeFileSync(path.join(dir, "tombstones.json"), tombstones);

    const result = run("restore.sh", ["--yes", out]);
    expect(result.status, result.stderr).toBe(0);
    // What the database being replaced held reaches the replay on the restored one, whole.
    expect(fs.readFileSync(path.join(dir, "replayed-tombstones.json"), "utf8").trim()).toBe(
      tombstones,
    );
    const runs = calls().filter((c) => c.includes("src/tombstones.ts"));
    expect(runs).toHaveLength(2);
    for (const call of runs) expect(call).toMatch(/^run --rm --no-deps -T auth node /);
  });

  it("replays after a failed run what the database replaced by that run held", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    const before = JSON.stringify([{ userId: "u-before", deletedAt: "2026-12-07T00:00:00.000Z" }]);
    fs.writeFileSync(path.join(dir, "tombstones.json"), before);
    expect(run("restore.sh", ["--yes", out], { FAKE_FAIL: "tombstones-replay" }).status).not.toBe(
      0,
    );
    // MySQL now holds the backup: a second run reads what the restored database has.
    fs.writeFileSync(path.join(dir, "tombstones.json"), "[]");
    const again = run("restore.sh", ["--yes", out]);
    expect(again.status, again.stderr).toBe(0);
    const replayed = fs.readFileSync(path.join(dir, "replayed-tombstones.json"), "utf8");
    expect(replayed.split("\n").filter(Boolean)).toEqual([before, "[]"]);
    expect(fs.readdirSync(path.join(dir, "state"))).toEqual([]);
  });

  it.each([
    "mysql-import",
    "mongorestore",
    "chroma-extract",
    "originals-extract",
    "tombstones-replay",
  ])(
    "leaves the writers stopped after a failed destructive step (%s) and says how to finish",
    (failure) => {
      const out = path.join(dir, "backup");
      expect(run("backup.sh", [out]).status).toBe(0);
      fs.rmSync(path.join(dir, "calls"));

      const result = run("restore.sh", ["--yes", out], { FAKE_FAIL: failure });
      expect(result.status).not.toBe(0);
      const log = calls();
      expect(log).toContain("stop gateway auth session rag");
      // Started on a half-restored store, auth would re-create an empty schema and take sign-ups.
      expect(log.filter((c) => c.startsWith("start "))).toEqual([]);
      expect(result.stderr).toMatch(/restore: FAILED while .* \(backup \d{8}T\d{6}Z-[0-9a-f]{8}\)/);
      expect(result.stderr).toContain("(gateway auth session rag) are left STOPPED");
      expect(result.stderr).toContain(`infra/restore.sh --yes ${out}`);
      expect(result.stderr).toMatch(/compose .* start gateway auth session rag/);
      if (failure === "mysql-import")
        expect(log.some((c) => c.includes("mongorestore"))).toBe(false);
    },
  );

  it("starts the writers again when it fails before replacing anything", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    fs.rmSync(path.join(dir, "calls"));

    const result = run("restore.sh", ["--yes", out], { FAKE_FAIL: "stop" });
    expect(result.status).not.toBe(0);
    const log = calls();
    expect(log.at(-1)).toBe("start gateway auth session rag");
    expect(log.some((c) => c.includes("--execute="))).toBe(false);
    expect(result.stderr).not.toContain("STOPPED");
  });
});
