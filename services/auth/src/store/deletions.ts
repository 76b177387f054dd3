import { and, asc, eq, isNull, lte, sql } from "drizzle-orm";
import type { Column } from "drizzle-orm";
import type { AccountDeletionRecord, DeletedCounts } from "./interface.ts";
import { userDataStores } from "./interface.ts";

/** A tombstone row as either dialect stores it: `pending` is a comma-separated list. */
export type DeletionRow = Omit<AccountDeletionRecord, "pending"> & { pending: string };

const LAST_ERROR_CHARS = 500;

/** The record of a tombstone row. */
export function deletionOf(row: DeletionRow): AccountDeletionRecord {
  return { ...row, pending: row.pending.split(",").filter(Boolean) };
}

/** A new tombstone: pending for `stores`, its first attempt due at once. */
export function tombstoneRow(options: {
  userId: string;
  deletedAt: Date;
  stores: readonly string[];
  now: Date;
}): DeletionRow {
  return {
    userId: options.userId,
    deletedAt: options.deletedAt,
    pending: [...new Set(options.stores)].sort().join(","),
    completedAt: options.stores.length === 0 ? options.now : null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: options.now,
  };
}

/** The columns that change when `store` is done; null when nothing does (done before, or complete). */
function storeDone(
  record: AccountDeletionRecord,
  store: string,
  now: Date,
): Pick<DeletionRow, "pending" | "completedAt"> | null {
  if (record.completedAt !== null || !record.pending.includes(store)) return null;
  const left = record.pending.filter((name) => name !== store);
  return { pending: left.join(","), completedAt: left.length === 0 ? now : null };
}

/** A failure's message as stored: bounded, for a column of that size. */
export function lastErrorOf(error: string): string {
  return error.slice(0, LAST_ERROR_CHARS);
}

/** The tombstone columns the conditions below name, in either dialect's table. */
interface DeletionColumns {
  userId: Column;
  deletedAt: Column;
  completedAt: Column;
  attempts: Column;
  nextAttemptAt: Column;
}

/** Incomplete tombstones whose next attempt is due at `now`. */
export const dueAt = (t: DeletionColumns, now: Date) =>
  and(isNull(t.completedAt), lte(t.nextAttemptAt, now));

/** Oldest deletion first; ties by user id, so that the order is stable. */
export const oldestFirst = (t: DeletionColumns) => [asc(t.deletedAt), asc(t.userId)];

/** The user's tombstone while incomplete. */
export const incompleteOf = (t: DeletionColumns, userId: string) =>
  and(eq(t.userId, userId), isNull(t.completedAt));

/** What a failed attempt changes: one more attempt, its error, the next one deferred. */
export const failedAttempt = (t: DeletionColumns, failure: { error: string; retryAt: Date }) => ({
  // Counted in the statement: two replicas failing at once both count.
  attempts: sql`${t.attempts} + 1`,
  lastError: lastErrorOf(failure.error),
  nextAttemptAt: failure.retryAt,
});

/**
 * Takes `store` off the tombstone `row` (read under the adapter's lock), writing the change with
 * `write`; the tombstone after, or null when there is none.
 */
export async function markStoreDone(
  row: DeletionRow | undefined,
  options: { store: string; now: Date },
  write: (change: Pick<DeletionRow, "pending" | "completedAt">) => Promise<unknown>,
): Promise<AccountDeletionRecord | null> {
  if (!row) return null;
  const change = storeDone(deletionOf(row), options.store, options.now);
  if (!change) return deletionOf(row);
  await write(change);
  return deletionOf({ ...row, ...change });
}

/**
 * What every tombstone becomes after a restore: pending again for every store, due at once. The
 * other stores were restored too, each copied at its own moment, so a deletion finished before
 * the backup may have its data back in them; running it again is harmless.
 */
export function reopenedAfterRestore(now: Date): Omit<DeletionRow, "userId" | "deletedAt"> {
  return {
    pending: [...userDataStores].sort().join(","),
    completedAt: null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: now,
  };
}

/**
 * Replays `tombstones` within one of the adapter's transactions: `insert` adds a tombstone unless
 * the user has one (answering how many it added), `removeUser` deletes the user's rows, and
 * `reopenAll` then makes every tombstone pending again ({@link reopenedAfterRestore}).
 */
export async function replayTombstones(
  tombstones: ReadonlyArray<Pick<AccountDeletionRecord, "userId" | "deletedAt">>,
  now: Date,
  tx: {
    insert(row: DeletionRow): Promise<number>;
    removeUser(userId: string): Promise<DeletedCounts | null>;
    reopenAll(row: Omit<DeletionRow, "userId" | "deletedAt">): Promise<unknown>;
  },
): Promise<{ insertedTombstones: number; removedUsers: number }> {
  let insertedTombstones = 0;
  let removedUsers = 0;
  for (const { userId, deletedAt } of tombstones) {
    insertedTombstones += await tx.insert(
      tombstoneRow({ userId, deletedAt, stores: userDataStores, now }),
    );
    if (await tx.removeUser(userId)) removedUsers += 1;
  }
  await tx.reopenAll(reopenedAfterRestore(now));
  return { insertedTombstones, removedUsers };
}
