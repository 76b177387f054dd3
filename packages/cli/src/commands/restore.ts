import { existsSync } from "node:fs";
import { copyFile, cp, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir } from "@dogi/config/private-files";
import type { BackupManifest } from "../backup/manifest.ts";
import { BackupCheckError, sha256OfFile, utcSeconds, verifyBackup } from "../backup/manifest.ts";
import type { StoreLocation } from "../backup/stores.ts";
import { dogiPortsInUse, loadStoresEnv, storeLocations } from "../backup/stores.ts";
import type { Tombstone } from "../backup/tombstones.ts";
import { readTombstones, replayTombstones } from "../backup/tombstones.ts";
import { say } from "../backup/say.ts";
import { findRepoRoot, resolveUserPath } from "../paths.ts";
import { messageOf } from "../service-errors.ts";
import { parseCommandArgs } from "../command-args.ts";
import { UsageError } from "../usage-error.ts";

export const restoreUsage = `dogi restore DIR

Restores a backup written by \`dogi backup\` into the stores \`dogi start\` uses (DATA_DIR,
AUTH_DATABASE_URL, SESSION_DATABASE_URL), which may be a fresh empty folder. Stop Dogi first: it
refuses while Dogi's ports answer. It checks every SHA-256 sum before touching anything, moves the
data it replaces to DATA_DIR/.pre-restore-<UTC time> (delete that folder once satisfied), and
puts it back if a step fails. Accounts deleted after the backup was taken stay deleted. The
knowledge base's kept originals (DATA_DIR/rag/documents) are replaced with the backup's; a backup
from before they were kept moves the current ones aside too, as they belong to other chunks.
Backups of Compose deployments are restored with infra/restore.sh.`;

/** `dogi restore`: resolves to the exit code (1: refused or failed, with the data as it was). */
export async function restoreCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, restoreUsage, {});
  if (!parsed) return 0;
  const { positionals } = parsed;
  const given = positionals[0];
  if (given === undefined || positionals.length > 1)
    throw new UsageError("give the one backup folder to restore", restoreUsage);
  const backupDir = resolveUserPath(given);
  const root = findRepoRoot();
  const env = loadStoresEnv(root, "dogi restore");
  if (env === undefined) return 78;
  const fail = (message: string): number => {
    console.error(`dogi restore: ${message}`);
    return 1;
  };

  const busy = await dogiPortsInUse(root, env);
  if (busy.length > 0)
    return fail(
      `Dogi looks running (${busy.join(", ")} answer); stop it first (Ctrl-C where pnpm start runs)`,
    );
  let manifest: BackupManifest;
  try {
    manifest = await verifyBackup(backupDir);
  } catch (error) {
    if (error instanceof BackupCheckError) return fail(`${error.message}\nNothing was changed.`);
    throw error;
  }
  if (manifest.source !== "embedded")
    return fail(
      `${backupDir} is a backup of a Compose deployment: restore it with infra/restore.sh`,
    );

  const locations = storeLocations(root, env);
  const targets: Target[] = [];
  for (const store of manifest.stores) {
    const location = locations.find((l) => l.name === store.name);
    if (location === undefined || location.kind !== store.kind)
      return fail(
        `the backup holds ${store.name} as ${store.kind}, but here ${location?.kind === "elsewhere" ? location.why : "it is not embedded"}; nothing was changed`,
      );
    // What `dogi backup` writes: one file per database, Chroma's files under chroma/ and rag's
    // kept originals under documents/ (not in backups of releases before it kept them).
    const expected =
      store.kind === "sqlite"
        ? store.files.length === 1
        : store.files.every((file) => /^(chroma|documents)\/./.test(file.path));
    if (!expected)
      return fail(`the backup's ${store.name} files are not laid out as dogi backup writes them`);
    targets.push(
      targetOf(
        location,
        store.files.map((f) => f.path),
      ),
    );
  }

  const dataDir = path.resolve(root, env.DATA_DIR);
  ensurePrivateDir(dataDir);
  const unfinished = (await readdir(dataDir)).find((name) => name.startsWith(".restore-"));
  if (unfinished !== undefined)
    return fail(
      `an earlier restore did not finish: see ${path.join(dataDir, unfinished, JOURNAL)}; put its files back (or remove that folder) first`,
    );

  say(
    `restoring backup ${manifest.backupId} of ${manifest.createdAt} (Dogi ${manifest.dogiVersion})`,
  );
  const result = await restoreStores({ backupDir, manifest, targets, dataDir });
  if (!result.ok) return fail(result.message);
  say(result.message);
  return 0;
}

const JOURNAL = "journal.json";

/** One store's place: the paths it occupies (moved aside whole) and where its backup files go. */
interface Target {
  store: StoreLocation;
  /** What the store occupies now: a SQLite file with its side files, or Chroma's folder. */
  occupied: string[];
  /** Backup file (relative) → where it goes. */
  placements: Array<{ from: string; to: string }>;
}

function targetOf(location: StoreLocation, files: readonly string[]): Target {
  if (location.kind === "sqlite")
    return {
      store: location,
      occupied: ["", "-wal", "-shm", "-journal"].map((suffix) => location.file + suffix),
      placements: files.map((from) => ({ from, to: location.file })),
    };
  if (location.kind === "chroma-folder")
    return {
      store: location,
      // The originals folder is replaced even by a backup without one: originals kept since
      // would not match the restored chunks, so they go aside with the Chroma folder they match.
      occupied: [location.dir, location.documents],
      placements: files.map((from) => {
        const [folder, ...rest] = from.split("/");
        return {
          from,
          to: path.join(folder === "documents" ? location.documents : location.dir, ...rest),
        };
      }),
    };
  throw new Error(`${location.name} is not an embedded store`);
}

interface RestoreOptions {
  backupDir: string;
  manifest: BackupManifest;
  targets: readonly Target[];
  dataDir: string;
}

/**
 * Replaces the stores with the backup's files, in steps that can be undone: the current auth
 * database's tombstones are read, the backup is staged beside the data and checked again, the
 * current files are moved aside, the staged ones moved in, the tombstones replayed. On a failure
 * the moved files go back; when even that fails, the folder and a note say what is where.
 */
async function restoreStores(options: RestoreOptions): Promise<{ ok: boolean; message: string }> {
  const { backupDir, manifest, targets, dataDir } = options;
  const stamp = utcSeconds().replace(/[-:]/g, "");
  const work = path.join(dataDir, `.restore-${stamp}`);
  const aside = path.join(dataDir, `.pre-restore-${stamp}`);
  await mkdir(work, { mode: 0o700 });

  // Before the data is replaced: deletions recorded after the backup must outlive it.
  const auth = targets.find((t) => t.store.kind === "sqlite" && t.store.name === "auth");
  const authFile = auth?.store.kind === "sqlite" ? auth.store.file : undefined;
  let tombstones: Tombstone[] = [];
  if (authFile !== undefined) {
    const read = await readTombstones(authFile);
    tombstones = read.tombstones;
    if (read.note !== undefined) say(`tombstones: none carried over (${read.note})`);
    await writeFile(path.join(work, "tombstones.json"), JSON.stringify(tombstones), {
      mode: 0o600,
    });
  }

  // Staged in DATA_DIR, so that moving into place is a rename, and checked again once copied.
  const staged = path.join(work, "new");
  for (const target of targets)
    for (const { from } of target.placements) {
      await mkdir(path.dirname(path.join(staged, from)), { recursive: true, mode: 0o700 });
      await copyFile(path.join(backupDir, from), path.join(staged, from));
    }
  for (const store of manifest.stores)
    for (const file of store.files)
      if ((await sha256OfFile(path.join(staged, file.path))) !== file.sha256) {
        await rm(work, { recursive: true, force: true });
        return {
          ok: false,
          message: `${file.path} changed while it was copied; nothing was changed`,
        };
      }

  const moved: Array<{ from: string; to: string }> = [];
  // Targets whose backup files are (partly) in place; every current file was moved aside before.
  const placing: Target[] = [];
  const journal = (): Promise<void> =>
    writeFile(
      path.join(work, JOURNAL),
      JSON.stringify({ backupId: manifest.backupId, aside, moved }, null, 1),
      {
        mode: 0o600,
      },
    );
  try {
    await mkdir(aside, { mode: 0o700 });
    for (const target of targets)
      for (const current of target.occupied) {
        if (!existsSync(current)) continue;
        const to = path.join(aside, target.store.name, path.basename(current));
        await move(current, to);
        moved.push({ from: current, to });
        await journal();
      }
    for (const target of targets) {
      placing.push(target);
      for (const { from, to } of target.placements) await move(path.join(staged, from), to);
    }

    if (authFile !== undefined) {
      const replay = await replayTombstones(authFile, tombstones);
      say(
        `tombstones: ${tombstones.length} carried over (${replay.recorded} not in the backup), ${replay.usersRemoved} deleted accounts removed again; every deletion is pending again, so the gateway removes what the restored session store holds of them`,
      );
    }
  } catch (error) {
    return undo({ error, placing, moved, work, aside });
  }
  await rm(work, { recursive: true, force: true });
  for (const { store, placements } of targets)
    if (store.kind === "chroma-folder" && !placements.some(isOriginal)) {
      const movedAway = moved.find((m) => m.from === store.documents);
      const here =
        movedAway === undefined
          ? ""
          : `; the ones that were here belong to other chunks and are in ${movedAway.to}`;
      say(
        `knowledge: the backup holds no kept originals (none uploaded, or taken before Dogi kept them)${here}; re-ingesting an uploaded document asks for it to be uploaded again`,
      );
    }
  const keptAside = moved.length > 0 ? `; the data it replaced is in ${aside}` : "";
  if (moved.length === 0) await rm(aside, { recursive: true, force: true });
  return {
    ok: true,
    message: `restored ${targets.map((t) => t.store.name).join(", ")} from backup ${manifest.backupId}${keptAside}`,
  };
}

function isOriginal(placement: { from: string }): boolean {
  return placement.from.startsWith("documents/");
}

/** Puts the moved files back after a failed step; says plainly where things are if it cannot. */
async function undo(options: {
  error: unknown;
  placing: readonly Target[];
  moved: ReadonlyArray<{ from: string; to: string }>;
  work: string;
  aside: string;
}): Promise<{ ok: boolean; message: string }> {
  const { error, placing, moved, work, aside } = options;
  try {
    for (const target of placing)
      for (const current of target.occupied) await rm(current, { recursive: true, force: true });
    for (const { from, to } of [...moved].reverse()) await move(to, from);
    await rm(work, { recursive: true, force: true });
    await rm(aside, { recursive: true, force: true });
    return {
      ok: false,
      message: `${messageOf(error)}\nThe restore was undone: the data is as it was before.`,
    };
  } catch (undoError) {
    // The journal in the working folder lists every move; the next restore refuses until it is dealt with.
    return {
      ok: false,
      message:
        `${messageOf(error)}\nPutting the previous data back failed too (${messageOf(undoError)}).\n` +
        `THE DATA IS HALF RESTORED. Do not start Dogi. The previous files are in ${aside}; ` +
        `${path.join(work, JOURNAL)} lists where each came from. Move them back, then remove ${work}.`,
    };
  }
}

/** A rename, or a copy and delete across file systems (a SQLite file outside DATA_DIR). */
async function move(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await cp(from, to, { recursive: true });
    await rm(from, { recursive: true, force: true });
  }
}
