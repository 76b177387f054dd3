import { datetime, index, json, mysqlTable, uniqueIndex, varchar } from "drizzle-orm/mysql-core";
import { users } from "./users.ts";

/** API keys, stored only as SHA-256 hashes, with the visible prefix their owner recognizes. */
export const apiKeys = mysqlTable(
  "api_keys",
  {
    apiKeyId: varchar("api_key_id", { length: 36 }).primaryKey(),
    userId: varchar("user_id", { length: 36 })
      .notNull()
      .references(() => users.userId, { onDelete: "cascade" }),
    name: varchar("name", { length: 100 }).notNull(),
    prefix: varchar("prefix", { length: 16 }).notNull(),
    keyHash: varchar("key_hash", { length: 64 }).notNull(),
    scopes: json("scopes").$type<string[]>().notNull(),
    createdAt: datetime("created_at", { mode: "date", fsp: 3 }).notNull(),
    lastUsedAt: datetime("last_used_at", { mode: "date", fsp: 3 }),
    revokedAt: datetime("revoked_at", { mode: "date", fsp: 3 }),
  },
  (table) => [
    uniqueIndex("api_keys_hash_unique").on(table.keyHash),
    index("api_keys_user_idx").on(table.userId),
  ],
);
