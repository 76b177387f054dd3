import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * What admins (and the host's `dogi admin`) did. Append-only: no query updates or deletes a row.
 * No foreign key to users: the entry outlives the account, so the actor's email is kept as text.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    auditId: text("audit_id").primaryKey(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    actorUserId: text("actor_user_id"),
    /** The admin's email at the time, or "host". */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    /** A JSON object, as text in both dialects (the query layer writes and reads it). */
    detail: text("detail").notNull(),
    clientIp: text("client_ip"),
    clientUserAgent: text("client_user_agent"),
  },
  (table) => [
    index("audit_log_at_idx").on(table.at),
    index("audit_log_action_idx").on(table.action, table.at),
  ],
);
