import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Tombstones of deleted accounts, written in the transaction that removes the user. `pending`
 * names the other services that may still hold the user's data (comma-separated); the row is
 * complete once none is left, and is kept so that a restore never brings the account back.
 * No foreign key: the user row is gone by design.
 */
export const accountDeletions = sqliteTable(
  "account_deletions",
  {
    userId: text("user_id").primaryKey(),
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }).notNull(),
    pending: text("pending").notNull(),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [index("account_deletions_due_idx").on(table.completedAt, table.nextAttemptAt)],
);
