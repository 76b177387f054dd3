import { datetime, index, mysqlTable, text, varchar } from "drizzle-orm/mysql-core";

/**
 * What admins (and the host's `dogi admin`) did. Append-only: no query updates or deletes a row.
 * No foreign key to users: the entry outlives the account, so the actor's email is kept as text.
 */
export const auditLog = mysqlTable(
  "audit_log",
  {
    auditId: varchar("audit_id", { length: 36 }).primaryKey(),
    at: datetime("at", { mode: "date", fsp: 3 }).notNull(),
    actorUserId: varchar("actor_user_id", { length: 36 }),
    /** The admin's email at the time, or "host". */
    actor: varchar("actor", { length: 254 }).notNull(),
    action: varchar("action", { length: 32 }).notNull(),
    target: varchar("target", { length: 500 }),
    /** A JSON object, as text in both dialects (the query layer writes and reads it). */
    detail: text("detail").notNull(),
    clientIp: varchar("client_ip", { length: 100 }),
    clientUserAgent: varchar("client_user_agent", { length: 500 }),
  },
  (table) => [
    index("audit_log_at_idx").on(table.at),
    index("audit_log_action_idx").on(table.action, table.at),
  ],
);
