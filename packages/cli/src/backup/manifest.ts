import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * The backup folder's records, shared with infra/backup.sh and infra/restore.sh (which write and
 * read the same text): MANIFEST names one backup (its id, time, Dogi release) and each store in it
 * with its files and their SHA-256 sums; SHA256SUMS (`sha256sum --check` format) covers every
 * file, MANIFEST included, so that a changed manifest is caught like a changed dump.
 */
export const MANIFEST = "MANIFEST";
export const SHA256SUMS = "SHA256SUMS";
const FORMAT = "dogi-backup 1";

/** The stores of Dogi: auth's accounts, session's chats, rag's knowledge base. */
export type StoreName = "auth" | "session" | "knowledge";
/** How a store was saved: Compose dumps (infra/backup.sh) or embedded files (`dogi backup`). */
export type StoreKind = "mysql" | "mongodb" | "chroma-volume" | "sqlite" | "chroma-folder";
const storeNames = new Set<string>(["auth", "session", "knowledge"]);
const storeKinds = new Set<string>([
  "mysql",
  "mongodb",
  "chroma-volume",
  "sqlite",
  "chroma-folder",
]);

export interface BackupFile {
  /** Relative to the backup folder, with `/` separators. */
  path: string;
  sha256: string;
}

export interface BackupStore {
  name: StoreName;
  kind: StoreKind;
  /** When this store's copy was taken (UTC, ISO 8601 to the second). */
  takenAt: string;
  files: BackupFile[];
}

export interface BackupManifest {
  backupId: string;
  createdAt: string;
  dogiVersion: string;
  dogiCommit: string;
  source: "compose" | "embedded";
  host: string;
  stores: BackupStore[];
}

/** A backup folder that fails its checks; `problems` lists each one. */
export class BackupCheckError extends Error {
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(`${dir} failed its checks:\n  ${problems.join("\n  ")}`);
  }
}

/** The UTC time as infra/backup.sh writes it: 2026-12-07T04:15:00Z. */
export function utcSeconds(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A new backup id: the UTC time, compact, and 8 random hex digits (as infra/backup.sh makes it). */
export function newBackupId(date: Date = new Date()): string {
  const stamp = utcSeconds(date).replace(/[-:]/g, "");
  return `${stamp}-${randomBytes(4).toString("hex")}`;
}

/** The version in the root package.json and the git commit of `root` ("unknown" outside git). */
export function dogiRelease(root: string): { version: string; commit: string } {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    version?: string;
  };
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["-C", root, "rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    // A copy of the repository without .git (an unpacked release): the version still says which.
  }
  return { version: pkg.version ?? "unknown", commit };
}

/** A manifest header for a backup taken now on this host. */
export function newManifest(
  root: string,
  source: BackupManifest["source"],
): Omit<BackupManifest, "stores"> {
  const now = new Date();
  const release = dogiRelease(root);
  return {
    backupId: newBackupId(now),
    createdAt: utcSeconds(now),
    dogiVersion: release.version,
    dogiCommit: release.commit,
    source,
    host: os.hostname(),
  };
}

export function formatManifest(manifest: BackupManifest): string {
  const lines = [
    "# Dogi backup: one backup id, its stores and their files with SHA-256 sums",
    `format: ${FORMAT}`,
    `backup-id: ${manifest.backupId}`,
    `created: ${manifest.createdAt}`,
    `dogi-version: ${manifest.dogiVersion}`,
    `dogi-commit: ${manifest.dogiCommit}`,
    `source: ${manifest.source}`,
    `host: ${manifest.host}`,
  ];
  for (const store of manifest.stores) {
    lines.push(`store: ${store.name} ${store.kind} ${store.takenAt}`);
    for (const file of store.files) lines.push(`file: ${store.name} ${file.sha256} ${file.path}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Parses MANIFEST; throws an Error naming the first line it cannot read. */
export function parseManifest(text: string): BackupManifest {
  const fields = new Map<string, string>();
  const stores: BackupStore[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line === "" || line.startsWith("#")) continue;
    const fail = (why: string) => new Error(`MANIFEST line ${index + 1}: ${why}: ${line}`);
    const store = /^store: (\S+) (\S+) (\S+)$/.exec(line);
    const file = /^file: (\S+) ([0-9a-f]{64}) (.+)$/.exec(line);
    const field = /^([a-z-]+): (.*)$/.exec(line);
    if (store !== null) {
      const [, name = "", kind = "", takenAt = ""] = store;
      if (!storeNames.has(name) || !storeKinds.has(kind)) throw fail("unknown store or kind");
      if (stores.some((s) => s.name === name)) throw fail("store listed twice");
      stores.push({ name: name as StoreName, kind: kind as StoreKind, takenAt, files: [] });
    } else if (file !== null) {
      const [, name, sha256 = "", filePath = ""] = file;
      const owner = stores.find((s) => s.name === name);
      if (owner === undefined) throw fail("file of a store not listed above it");
      if (!isInside(filePath)) throw fail("a file path outside the backup folder");
      owner.files.push({ path: filePath, sha256 });
    } else if (field !== null) {
      fields.set(field[1] ?? "", field[2] ?? "");
    } else throw fail("not a manifest line");
  }
  if (fields.get("format") !== FORMAT)
    throw new Error(
      `MANIFEST: not a ${FORMAT} manifest (format: ${fields.get("format") ?? "none"})`,
    );
  const required = (key: string): string => {
    const value = fields.get(key);
    if (value === undefined || value === "") throw new Error(`MANIFEST: no ${key}`);
    return value;
  };
  const source = required("source");
  if (source !== "compose" && source !== "embedded")
    throw new Error(`MANIFEST: unknown source ${source}`);
  if (stores.length === 0) throw new Error("MANIFEST: no store");
  return {
    backupId: required("backup-id"),
    createdAt: required("created"),
    dogiVersion: required("dogi-version"),
    dogiCommit: required("dogi-commit"),
    source,
    host: fields.get("host") ?? "",
    stores,
  };
}

function isInside(relative: string): boolean {
  return (
    !path.isAbsolute(relative) && !relative.split("/").includes("..") && !relative.includes("\\")
  );
}

export function sha256OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** Writes MANIFEST and then SHA256SUMS over the stores' files and MANIFEST, both mode 0600. */
export async function writeBackupRecords(dir: string, manifest: BackupManifest): Promise<void> {
  await writeFile(path.join(dir, MANIFEST), formatManifest(manifest), { mode: 0o600 });
  const entries = manifest.stores.flatMap((store) => store.files);
  entries.push({ path: MANIFEST, sha256: await sha256OfFile(path.join(dir, MANIFEST)) });
  await writeFile(
    path.join(dir, SHA256SUMS),
    entries.map((entry) => `${entry.sha256}  ${entry.path}\n`).join(""),
    { mode: 0o600 },
  );
}

/**
 * Checks a backup folder before anything is restored from it: every file in SHA256SUMS has its
 * sum, MANIFEST is among them, and every file the manifest lists is there with the same sum.
 * Resolves to the manifest; rejects with a BackupCheckError listing every problem.
 */
export async function verifyBackup(dir: string): Promise<BackupManifest> {
  const sumsText = await readFile(path.join(dir, SHA256SUMS), "utf8").catch(() => undefined);
  if (sumsText === undefined)
    throw new BackupCheckError(dir, [`no ${SHA256SUMS}: is it a folder a Dogi backup wrote?`]);
  const problems: string[] = [];
  const sums = new Map<string, string>();
  for (const line of sumsText.split("\n")) {
    if (line === "") continue;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match === null || !isInside(match[2] ?? "")) {
      problems.push(`${SHA256SUMS}: unreadable line ${JSON.stringify(line)}`);
      continue;
    }
    sums.set(match[2] ?? "", match[1] ?? "");
  }
  for (const [file, expected] of sums) {
    const actual = await sha256OfFile(path.join(dir, file)).catch(() => undefined);
    if (actual === undefined) problems.push(`${file}: missing`);
    else if (actual !== expected) problems.push(`${file}: FAILED (its SHA-256 sum differs)`);
  }
  if (!sums.has(MANIFEST)) problems.push(`${MANIFEST} is not in ${SHA256SUMS}`);
  if (problems.length > 0) throw new BackupCheckError(dir, problems);

  let manifest: BackupManifest;
  try {
    manifest = parseManifest(await readFile(path.join(dir, MANIFEST), "utf8"));
  } catch (error) {
    throw new BackupCheckError(dir, [error instanceof Error ? error.message : String(error)]);
  }
  for (const store of manifest.stores)
    for (const file of store.files)
      if (sums.get(file.path) !== file.sha256)
        problems.push(`${file.path}: its sum in ${MANIFEST} is not the one in ${SHA256SUMS}`);
  if (problems.length > 0) throw new BackupCheckError(dir, problems);
  return manifest;
}
