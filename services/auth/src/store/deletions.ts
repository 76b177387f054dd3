import type { AccountDeletionRecord } from "./interface.ts";

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
export function storeDone(
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
