import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Accounts. `email` holds the normalized (trimmed, lower-cased) address, unique. */
export const users = sqliteTable(
  "users",
  {
    userId: text("user_id").primaryKey(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    /** Bumped by logout-all, password change and deletion: access tokens carry it and must match. */
    tokenVersion: integer("token_version").notNull().default(0),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    /** "user" or "admin" (see ZRole); the admin area reads it from here on every call. */
    role: text("role").$type<"user" | "admin">().notNull().default("user"),
    /** The last sign-in by password; null for accounts that have not signed in since roles came. */
    lastSignInAt: integer("last_sign_in_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [
    uniqueIndex("users_email_unique").on(table.email),
    // The last-admin guard locks the enabled admins through this index (not the whole table).
    index("users_role_idx").on(table.role, table.disabled),
  ],
);
