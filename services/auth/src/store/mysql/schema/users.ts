import { boolean, datetime, int, mysqlTable, uniqueIndex, varchar } from "drizzle-orm/mysql-core";

/** Accounts. `email` holds the normalized (trimmed, lower-cased) address, unique. */
export const users = mysqlTable(
  "users",
  {
    userId: varchar("user_id", { length: 36 }).primaryKey(),
    email: varchar("email", { length: 254 }).notNull(),
    passwordHash: varchar("password_hash", { length: 255 }).notNull(),
    /** Bumped by logout-all, password change and deletion: access tokens carry it and must match. */
    tokenVersion: int("token_version").notNull().default(0),
    disabled: boolean("disabled").notNull().default(false),
    createdAt: datetime("created_at", { mode: "date", fsp: 3 }).notNull(),
    updatedAt: datetime("updated_at", { mode: "date", fsp: 3 }).notNull(),
  },
  (table) => [uniqueIndex("users_email_unique").on(table.email)],
);
