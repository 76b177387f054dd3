import { datetime, index, int, mysqlTable, varchar } from "drizzle-orm/mysql-core";

/**
 * Tombstones of deleted accounts, written in the transaction that removes the user. `pending`
 * names the other services that may still hold the user's data (comma-separated); the row is
 * complete once none is left, and is kept so that a restore never brings the account back.
 * No foreign key: the user row is gone by design.
 */
export const accountDeletions = mysqlTable(
  "account_deletions",
  {
    userId: varchar("user_id", { length: 36 }).primaryKey(),
    deletedAt: datetime("deleted_at", { mode: "date", fsp: 3 }).notNull(),
    pending: varchar("pending", { length: 255 }).notNull(),
    completedAt: datetime("completed_at", { mode: "date", fsp: 3 }),
    attempts: int("attempts").notNull().default(0),
    lastError: varchar("last_error", { length: 500 }),
    nextAttemptAt: datetime("next_attempt_at", { mode: "date", fsp: 3 }).notNull(),
  },
  (table) => [index("account_deletions_due_idx").on(table.completedAt, table.nextAttemptAt)],
);
