import {
  boolean,
  datetime,
  index,
  int,
  mysqlTable,
  uniqueIndex,
  varchar,
} from "drizzle-orm/mysql-core";

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
    /** "user" or "admin" (see ZRole); the admin area reads it from here on every call. */
    role: varchar("role", { length: 16 }).$type<"user" | "admin">().notNull().default("user"),
    /** The last sign-in by password; null for accounts that have not signed in since roles came. */
    lastSignInAt: datetime("last_sign_in_at", { mode: "date", fsp: 3 }),
    createdAt: datetime("created_at", { mode: "date", fsp: 3 }).notNull(),
    updatedAt: datetime("updated_at", { mode: "date", fsp: 3 }).notNull(),
  },
  (table) => [
    uniqueIndex("users_email_unique").on(table.email),
    // The last-admin guard locks the enabled admins through this index (not the whole table).
    index("users_role_idx").on(table.role, table.disabled),
  ],
);
