import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { infraDir, requireTool } from "./compose-file.ts";

const scripts = ["backup.sh", "restore.sh"].map((name) => path.join(infraDir, name));
const fakeDocker = path.join(infraDir, "test", "fake-docker.sh");

describe("backup.sh and restore.sh as shell code", () => {
  it.each(scripts)("%s parses (bash -n)", (script) => {
    const result = spawnSync("bash", ["-n", script], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  const shellcheck = requireTool("shellcheck", "apt-get install -y shellcheck");
  it.skipIf(shellcheck.skip).each([...scripts, fakeDocker])(
    shellcheck.title("%s passes shellcheck"),
    (script) => {
      shellcheck.assertPresent();
      const result = spawnSync("shellcheck", ["--severity=style", script], { encoding: "utf8" });
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
  });

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
        DOGI_ENV_FILE: path.join(dir, "no.env"),
        ...env,
      },
    });
    return result;
  }

  const calls = () =>
    fs
      .readFileSync(path.join(dir, "calls"), "utf8")
      .trim()
      .split("\n")
      .map((line) => line.replace(/^compose -f \S+ /, ""));

  it("writes the three dumps with checksums, owner-only, and restarts Chroma after archiving it", () => {
    const out = path.join(dir, "backup");
    const result = run("backup.sh", [out]);
    expect(result.stderr).toContain("backup written to");
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
    expect(fs.readFileSync(path.join(out, "SHA256SUMS"), "utf8").trim().split("\n")).toHaveLength(
      3,
    );
    expect(fs.statSync(path.join(out, "mysql.sql.gz")).mode & 0o077).toBe(0);

    const log = calls();
    const mysqldump = log.find((c) => c.includes("mysqldump")) ?? "";
    expect(mysqldump).toContain("--single-transaction");
    expect(mysqldump).toContain("--default-character-set=utf8mb4");
    const stop = log.indexOf("stop chromadb");
    const archive = log.findIndex((c) => c.includes("--entrypoint tar chromadb -czf - -C /data ."));
    const start = log.indexOf("start chromadb");
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(archive).toBeGreaterThan(stop);
    expect(start).toBeGreaterThan(archive);
  });

  it("skips stores that are not running and fails when none is", () => {
    const partial = run("backup.sh", [path.join(dir, "partial")], { FAKE_RUNNING: "mongodb" });
    expect(partial.status).toBe(0);
    expect(fs.readdirSync(path.join(dir, "partial")).sort()).toEqual([
      "MANIFEST",
      "SHA256SUMS",
      "mongodb.archive.gz",
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
      log.findIndex((c) => c.includes("--execute=")),
      log.findIndex((c) => c.endsWith("--default-character-set=utf8mb4")),
      log.findIndex((c) => c.includes("mongorestore") && c.includes("--drop")),
      log.findIndex((c) => c.includes("tar -xzf - -C /data")),
      log.indexOf("up -d --no-deps --wait chromadb"),
      log.indexOf("start gateway auth session rag"),
    ];
    expect(
      order.every((index) => index >= 0),
      JSON.stringify(log, null, 1),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
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

  it("starts the stopped services again when a restore step fails", () => {
    const out = path.join(dir, "backup");
    expect(run("backup.sh", [out]).status).toBe(0);
    fs.rmSync(path.join(dir, "calls"));

    const result = run("restore.sh", ["--yes", out], { FAKE_FAIL: "mysql-import" });
    expect(result.status).not.toBe(0);
    const log = calls();
    expect(log).toContain("stop gateway auth session rag");
    expect(log.at(-1)).toBe("start gateway auth session rag");
    expect(log.some((c) => c.includes("mongorestore"))).toBe(false);
  });
});
