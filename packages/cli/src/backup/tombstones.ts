import { existsSync } from "node:fs";
import { createClient } from "@libsql/client";
import { createStore } from "@dogi/auth/store";
import type { AccountDeletionRecord } from "@dogi/auth/store";

/** One account deletion auth recorded, as a restore carries it across. */
export type Tombstone = Pick<AccountDeletionRecord, "userId" | "deletedAt">;

/** What a replay did, for the restore's report. */
export interface TombstoneReplay {
  /** Tombstones the restored database did not have, added as pending. */
  recorded: number;
  /** Accounts of deleted users that the restored database still held, now removed. */
  usersRemoved: number;
}

async function hasDeletionsTable(authFile: string): Promise<boolean> {
  const client = createClient({ url: `file:${authFile}`, timeout: 10_000 });
  try {
    const result = await client.execute(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'account_deletions'",
    );
    return result.rows.length > 0;
  } finally {
    client.close();
  }
}

/**
 * The tombstones in the auth database at `authFile` before a restore replaces it: none when the
 * file does not exist, or comes from a release without durable deletions (a note says which).
 * The file is only read: what the restore keeps aside stays as it was.
 */
export async function readTombstones(
  authFile: string,
): Promise<{ tombstones: Tombstone[]; note?: string }> {
  if (!existsSync(authFile)) return { tombstones: [], note: `no auth database at ${authFile}` };
  if (!(await hasDeletionsTable(authFile)))
    return { tombstones: [], note: "the auth database has no account_deletions table yet" };
  const store = createStore(`file:${authFile}`);
  try {
    const records = await store.listDeletions();
    return { tombstones: records.map(({ userId, deletedAt }) => ({ userId, deletedAt })) };
  } finally {
    await store.close();
  }
}

/**
 * The restore's tombstone step, on the restored auth database: brings its schema up to this
 * release, then auth's own replayDeletions: deletions made after the backup was taken outlive the
 * restore (those accounts are removed again), and every deletion is pending once more, so the
 * gateway's deletion job removes whatever the restored session store still holds of them.
 */
export async function replayTombstones(
  authFile: string,
  tombstones: readonly Tombstone[],
  now: Date = new Date(),
): Promise<TombstoneReplay> {
  const store = createStore(`file:${authFile}`);
  try {
    await store.migrate();
    const replayed = await store.replayDeletions(tombstones, now);
    return { recorded: replayed.insertedTombstones, usersRemoved: replayed.removedUsers };
  } finally {
    await store.close();
  }
}
