import { datetime, mysqlTable, varchar } from "drizzle-orm/mysql-core";
import { users } from "./users.ts";

/** One profile per user, removed with the user. */
export const userProfiles = mysqlTable("user_profiles", {
  userId: varchar("user_id", { length: 36 })
    .primaryKey()
    .references(() => users.userId, { onDelete: "cascade" }),
  fullName: varchar("full_name", { length: 100 }),
  phone: varchar("phone", { length: 32 }),
  birthDate: varchar("birth_date", { length: 10 }),
  locale: varchar("locale", { length: 8 }).notNull().default("ko"),
  updatedAt: datetime("updated_at", { mode: "date", fsp: 3 }).notNull(),
});
