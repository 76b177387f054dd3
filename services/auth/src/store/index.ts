import type { AuthStore } from "./interface.ts";
import { createMySqlStore } from "./mysql.ts";
import { createSqliteStore } from "./sqlite.ts";

// The backup and restore commands open the store directly: listDeletions() beside a dump,
// replayDeletions() after a restore, so that no deleted account comes back.
export type { AccountDeletionRecord, AuthStore } from "./interface.ts";
export { userDataStores } from "./interface.ts";

/** The store AUTH_DATABASE_URL names: mysql://… for MySQL/MariaDB, file:… for embedded SQLite. */
export function createStore(url: string): AuthStore {
  return url.startsWith("mysql://") ? createMySqlStore(url) : createSqliteStore(url);
}
