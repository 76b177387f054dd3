import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../testing/run-cli.ts";
import type { BackupManifest } from "./manifest.ts";
import { formatManifest, parseManifest, verifyBackup, writeBackupRecords } from "./manifest.ts";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dogi-manifest-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sample: BackupManifest = {
  backupId: "20261207T041500Z-0a1b2c3d",
  createdAt: "2026-12-07T04:15:00Z",
  dogiVersion: "0.1.0",
  dogiCommit: "unknown",
  source: "embedded",
  host: "laptop",
  stores: [
    {
      name: "auth",
      kind: "sqlite",
      takenAt: "2026-12-07T04:15:01Z",
      files: [{ path: "auth.db", sha256: "a".repeat(64) }],
    },
  ],
};

describe("the backup manifest", () => {
  it("reads back what it writes", () => {
    expect(parseManifest(formatManifest(sample))).toEqual(sample);
  });

  it("refuses a file outside the backup folder, an unknown store and a missing backup id", () => {
    const text = formatManifest(sample);
    expect(() => parseManifest(text.replace(" auth.db", " ../auth.db"))).toThrow(
      /outside the backup folder/,
    );
    expect(() =>
      parseManifest(text.replace("store: auth sqlite", "store: billing sqlite")),
    ).toThrow(/unknown store/);
    expect(() => parseManifest(text.replace(/^backup-id: .*\n/m, ""))).toThrow(/no backup-id/);
  });

  it("verifies a folder whose files match, and lists every file that does not", async () => {
    writeFileSync(path.join(dir, "auth.db"), "accounts");
    const sha256 = createHash("sha256").update("accounts").digest("hex");
    const manifest: BackupManifest = {
      ...sample,
      stores: [
        {
          name: "auth",
          kind: "sqlite",
          takenAt: sample.createdAt,
          files: [{ path: "auth.db", sha256 }],
        },
      ],
    };
    await writeBackupRecords(dir, manifest);
    expect(await verifyBackup(dir)).toEqual(manifest);

    writeFileSync(path.join(dir, "auth.db"), "changed");
    await expect(verifyBackup(dir)).rejects.toThrow(/auth\.db: FAILED/);
    rmSync(path.join(dir, "auth.db"));
    await expect(verifyBackup(dir)).rejects.toThrow(/auth\.db: missing/);
  });

  it("reads the manifest infra/backup.sh writes, and finds its folder intact", async () => {
    // backup.sh against the fake docker of infra's own tests (no Docker engine runs here).
    mkdirSync(path.join(dir, "chroma-data"));
    writeFileSync(path.join(dir, "chroma-data", "chroma.sqlite3"), "fake chroma db");
    const out = path.join(dir, "backup");
    const result = spawnSync("bash", [path.join(repoRoot, "infra", "backup.sh"), out], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "",
        DOCKER: path.join(repoRoot, "infra", "test", "fake-docker.sh"),
        FAKE_DIR: dir,
        FAKE_RUNNING: "mysql,mongodb,chromadb",
        FAKE_MYSQL_PASSWORD: "pw",
        FAKE_MONGO_PASSWORD: "pw",
        DOGI_ENV_FILE: path.join(dir, "no.env"),
      },
    });
    expect(result.status, result.stderr).toBe(0);
    const manifest = await verifyBackup(out);
    expect(manifest).toMatchObject({ source: "compose", dogiVersion: "0.1.0" });
    expect(manifest.backupId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(
      manifest.stores.map((s) => `${s.name} ${s.kind} ${s.files.map((f) => f.path).join()}`),
    ).toEqual([
      "auth mysql mysql.sql.gz",
      "session mongodb mongodb.archive.gz",
      "knowledge chroma-volume chroma.tar.gz",
    ]);
    expect(readFileSync(path.join(out, "SHA256SUMS"), "utf8")).toContain("  MANIFEST\n");
  });
});
