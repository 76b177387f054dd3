import { datetime, index, mysqlTable, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { users } from "./users.ts";

/** Refresh tokens, stored only as SHA-256 hashes; a family is one sign-in and its rotations. */
export const refreshTokens = mysqlTable(
  "refresh_tokens",
  {
    tokenId: varchar("token_id", { length: 36 }).primaryKey(),
    userId: varchar("user_id", { length: 36 })
      .notNull()
      .references(() => users.userId, { onDelete: "cascade" }),
    familyId: varchar("family_id", { length: 36 }).notNull(),
    tokenHash: varchar("token_hash", { length: 64 }).notNull(),
    createdAt: datetime("created_at", { mode: "date", fsp: 3 }).notNull(),
    expiresAt: datetime("expires_at", { mode: "date", fsp: 3 }).notNull(),
    revokedAt: datetime("revoked_at", { mode: "date", fsp: 3 }),
    replacedBy: varchar("replaced_by", { length: 36 }),
  },
  (table) => [
    uniqueIndex("refresh_tokens_hash_unique").on(table.tokenHash),
    index("refresh_tokens_family_idx").on(table.familyId),
    index("refresh_tokens_user_idx").on(table.userId),
  ],
);
