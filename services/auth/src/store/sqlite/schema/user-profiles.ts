import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users.ts";

/** One profile per user, removed with the user. */
export const userProfiles = sqliteTable("user_profiles", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.userId, { onDelete: "cascade" }),
  fullName: text("full_name"),
  phone: text("phone"),
  birthDate: text("birth_date"),
  locale: text("locale").notNull().default("ko"),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});
