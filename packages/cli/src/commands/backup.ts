import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { currentEnvironment } from "@dogi/config";
import { createServiceClient } from "@dogi/trpc";
import type { ServiceCredentialSigner } from "@dogi/trpc";
import type { RagRouter } from "@dogi/rag";
import type { BackupFile, BackupStore } from "../backup/manifest.ts";
import { newManifest, sha256OfFile, utcSeconds, writeBackupRecords } from "../backup/manifest.ts";
import type { StoreLocation } from "../backup/stores.ts";
import {
  copyChromaFolder,
  copyOriginals,
  loadStoresEnv,
  ragUrl,
  snapshotSqlite,
  storeLocations,
} from "../backup/stores.ts";
import { say } from "../backup/say.ts";
import { findRepoRoot, resolveUserPath } from "../paths.ts";
import { isUnreachable, messageOf } from "../service-errors.ts";
import { parseCommandArgs } from "../command-args.ts";
import { UsageError } from "../usage-error.ts";
import { launcherEnvironment } from "../env-file.ts";
import { cliSigner } from "../service-signer.ts";
import { deploySettings } from "../deploy/settings.ts";

export const backupUsage = `dogi backup [DIR] [--hold-ms N]
dogi backup --compose [--no-stop] [DIR]

Backs up what \`dogi start\` keeps on this machine, while Dogi runs or not: the auth and session
SQLite databases (consistent online copies) and the knowledge base: Chroma's folder and the
originals rag keeps for re-ingest (DATA_DIR/rag/documents), copied together while the rag service
refuses new ingests ("backup in progress, retry"). Writes MANIFEST (one backup id, the time,
Dogi's version and commit, every file with its SHA-256 sum) and SHA256SUMS, the same records as
infra/backup.sh; files are mode 600 in a mode 700 folder. Stores on database servers (mysql://,
mongodb://, CHROMA_URL) are skipped: back those up with infra/backup.sh.
Restore with: pnpm dogi restore DIR

  DIR        an empty or new folder (default: DATA_DIR/backups/<UTC time>)
  --hold-ms  the longest the knowledge base's writes stay paused (default: 120000)

With --compose, backs up the Docker Compose deployment (\`pnpm dogi deploy\`) instead: runs
infra/backup.sh (bash; on Windows from Git Bash or WSL) with the deployment's .env and docker
(DOGI_ENV_FILE, DOGI_DOCKER): a MySQL dump, a MongoDB dump, the Chroma volume and the originals in
rag's volume, with the same MANIFEST. DIR defaults to data/backups/<UTC time>.
Restore with: infra/restore.sh DIR

  --no-stop  archive Chroma's volume live instead of stopping it for a few seconds`;

const defaultHoldMs = 120_000;

/** `dogi backup`: resolves to the exit code (1: nothing backed up, or a copy failed). */
export async function backupCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, backupUsage, {
    "hold-ms": { type: "string" },
    compose: { type: "boolean", default: false },
    "no-stop": { type: "boolean", default: false },
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError("give at most one folder", backupUsage);
  if (values.compose) {
    if (values["hold-ms"] !== undefined)
      throw new UsageError("--hold-ms is for the embedded stores, not --compose", backupUsage);
    return composeBackup(positionals[0], values["no-stop"]);
  }
  if (values["no-stop"]) throw new UsageError("--no-stop goes with --compose", backupUsage);
  const holdMs = Number(values["hold-ms"] ?? defaultHoldMs);
  if (!Number.isInteger(holdMs) || holdMs < 1_000 || holdMs > 600_000)
    throw new UsageError("--hold-ms must be a whole number from 1000 to 600000", backupUsage);
  const root = findRepoRoot();
  const env = loadStoresEnv(root, "dogi backup");
  if (env === undefined) return 78;

  const given = positionals[0];
  const out =
    given !== undefined
      ? resolveUserPath(given)
      : path.resolve(root, env.DATA_DIR, "backups", utcSeconds().replace(/[-:]/g, ""));
  // A failed backup removes what it made: the folder if it made it, else what it wrote in it.
  const madeFolder = !existsSync(out);
  const discard = async (): Promise<void> => {
    if (madeFolder) await rm(out, { recursive: true, force: true });
    else for (const name of await readdir(out)) await rm(path.join(out, name), { recursive: true });
  };
  await mkdir(out, { recursive: true, mode: 0o700 });
  // Dumps hold password hashes and chat history: readable by the owner only.
  await chmod(out, 0o700);
  if ((await readdir(out)).length > 0) {
    console.error(`dogi backup: ${out} is not empty; give a new folder`);
    return 1;
  }

  const stores: StoreLocation[] = [];
  for (const location of storeLocations(root, env)) {
    if (location.kind === "elsewhere") {
      say(`${location.name}: skipped, ${location.why}`);
      continue;
    }
    const where = location.kind === "sqlite" ? location.file : location.dir;
    if (existsSync(where)) stores.push(location);
    else
      say(`${location.name}: skipped, ${where} does not exist (Dogi has not stored anything yet)`);
  }
  if (stores.length === 0) {
    await discard();
    console.error("dogi backup: no embedded store to back up");
    return 1;
  }

  const header = newManifest(root, "embedded");
  let saved: BackupStore[];
  try {
    // Without a secret Dogi has never run here, so rag cannot answer: the copy goes direct.
    const signer = await cliSigner(launcherEnvironment(root), root).catch(() => undefined);
    saved = await copyStores(stores, out, { url: ragUrl(root, env), holdMs, signer });
  } catch (error) {
    await discard();
    console.error(`dogi backup: ${messageOf(error)}; nothing was kept`);
    return 1;
  }
  await writeBackupRecords(out, { ...header, stores: saved });
  const files = saved.reduce((sum, store) => sum + store.files.length, 0);
  say(
    `backup ${header.backupId} written to ${out} (${saved.map((s) => s.name).join(", ")}; ${files} files)`,
  );
  return 0;
}

/**
 * Copies the stores into `out`: the knowledge base first, inside a pause of rag's writes (or
 * directly when rag does not answer, so Dogi is stopped), then session and auth. Session goes
 * before auth so that every session in the backup has its account there too.
 */
async function copyStores(
  stores: readonly StoreLocation[],
  out: string,
  rag: { url: string; holdMs: number; signer: ServiceCredentialSigner | undefined },
): Promise<BackupStore[]> {
  const order = ["knowledge", "session", "auth"];
  const sorted = [...stores].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const client = createServiceClient<RagRouter>({
    url: rag.url,
    timeoutMs: rag.holdMs,
    ...(rag.signer ? { credential: { signer: rag.signer, target: "rag" as const } } : {}),
  });
  const saved: BackupStore[] = [];
  for (const store of sorted) {
    const takenAt = utcSeconds();
    if (store.kind === "chroma-folder") {
      const pause = await pauseWrites(client, rag);
      let copied: string[] = [];
      let heldThroughout = true;
      try {
        copied = (await copyChromaFolder(store.dir, path.join(out, "chroma"))).map(
          (file) => `chroma/${file}`,
        );
        // In the same pause: the originals must be those of the documents the chunks hold.
        if (existsSync(store.documents)) {
          const originals = await copyOriginals(store.documents, path.join(out, "documents"));
          copied.push(...originals.map((file) => `documents/${file}`));
          const kept = originals.filter((file) => file.endsWith(".original")).length;
          say(`knowledge: ${kept} kept originals of uploaded documents copied`);
        }
      } finally {
        if (pause !== undefined)
          ({ heldThroughout } = await client.maintenance.resumeWrites.mutate({
            pauseId: pause.pauseId,
          }));
      }
      // Without the pause held, an ingest may have written while the files were copied.
      if (!heldThroughout)
        throw new Error(
          `copying the knowledge base took longer than --hold-ms=${rag.holdMs}; retry with a larger one`,
        );
      saved.push({
        name: store.name,
        kind: "chroma-folder",
        takenAt,
        files: await summed(out, copied),
      });
    } else if (store.kind === "sqlite") {
      const file = `${store.name}.db`;
      await snapshotSqlite(store.file, path.join(out, file));
      saved.push({ name: store.name, kind: "sqlite", takenAt, files: await summed(out, [file]) });
    }
  }
  return saved;
}

async function pauseWrites(
  client: ReturnType<typeof createServiceClient<RagRouter>>,
  rag: { url: string; holdMs: number },
): Promise<{ pauseId: string } | undefined> {
  try {
    const pause = await client.maintenance.pauseWrites.mutate({ holdMs: rag.holdMs });
    say(
      `knowledge: rag paused its writes for up to ${rag.holdMs / 1000} s while Chroma's files and the kept originals are copied`,
    );
    return pause;
  } catch (error) {
    if (!isUnreachable(error))
      throw new Error(
        `the rag service at ${rag.url} did not pause its writes: ${messageOf(error)}`,
      );
    say(
      `knowledge: the rag service at ${rag.url} does not answer (Dogi is not running): copying Chroma's files directly`,
    );
    return undefined;
  }
}

/** `dogi backup --compose`: infra/backup.sh on the deployment `dogi deploy` made; its exit code. */
async function composeBackup(dir: string | undefined, noStop: boolean): Promise<number> {
  const settings = deploySettings(findRepoRoot());
  const script = path.join(settings.root, "infra", "backup.sh");
  const args = [script, ...(noStop ? ["--no-stop"] : []), ...(dir ? [resolveUserPath(dir)] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn("bash", args, {
      stdio: "inherit",
      // What infra/backup-common.sh reads: the docker command, the .env and the -f files.
      env: {
        ...currentEnvironment(),
        DOCKER: settings.docker,
        DOGI_ENV_FILE: settings.envFile,
        DOGI_COMPOSE_FILES: path.join(settings.root, "infra", "docker-compose.yml"),
      },
    });
    child.once("error", (error) =>
      (error as NodeJS.ErrnoException).code === "ENOENT" ? resolve(noBash()) : reject(error),
    );
    child.once("close", (code) => resolve(code ?? 1));
  });
}

function noBash(): number {
  console.error(
    "dogi backup --compose: infra/backup.sh needs bash (on Windows: run it from Git Bash or WSL)",
  );
  return 1;
}

async function summed(dir: string, files: readonly string[]): Promise<BackupFile[]> {
  return Promise.all(
    files.map(async (file) => ({ path: file, sha256: await sha256OfFile(path.join(dir, file)) })),
  );
}
