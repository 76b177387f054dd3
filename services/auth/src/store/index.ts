import type { AuthStore } from "./interface.ts";
import { createMySqlStore } from "./mysql.ts";
import { createSqliteStore } from "./sqlite.ts";

/** The store AUTH_DATABASE_URL names: mysql://… for MySQL/MariaDB, file:… for embedded SQLite. */
export function createStore(url: string): AuthStore {
  return url.startsWith("mysql://") ? createMySqlStore(url) : createSqliteStore(url);
}
