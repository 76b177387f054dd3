import type { SessionStore } from "./interface.ts";
import { createMongoStore } from "./mongodb.ts";
import { createSqliteStore } from "./sqlite.ts";

/** The store SESSION_DATABASE_URL names: MongoDB for mongodb:// URLs, else embedded SQLite (file:). */
export function createStore(options: { url: string; timeoutMs: number }): SessionStore {
  if (options.url.startsWith("mongodb://") || options.url.startsWith("mongodb+srv://")) {
    return createMongoStore({ url: options.url, timeoutMs: options.timeoutMs });
  }
  return createSqliteStore({ url: options.url, busyTimeoutMs: options.timeoutMs });
}
