import { createClient } from "@libsql/client";
import { MongoClient } from "mongodb";
import type { SessionStore } from "../store/interface.ts";
import { createMongoStore } from "../store/mongodb.ts";
import { createSqliteStore } from "../store/sqlite.ts";
import type { StoreKind } from "./stores.ts";

/** What a newer release added to the stored turns, to take away again. */
export interface OlderRelease {
  /** The `llm_messages` fields to unset in MongoDB. */
  mongoUnset: string[];
  /** The statements that drop SQLite's columns and indexes. */
  sqlite: string[];
}

/**
 * Rewrites the turns of a closed store as `older` left them and opens a store over the same
 * data; the returned `dispose` closes it and then runs the one it replaces.
 */
export async function reopenAsOlderRelease(
  kind: StoreKind,
  location: { url: string; dbName?: string },
  older: OlderRelease,
  dispose: () => Promise<void>,
): Promise<{ store: SessionStore; dispose: () => Promise<void> }> {
  if (kind.name === "mongodb") {
    const client = new MongoClient(location.url);
    await client
      .db(location.dbName)
      .collection("llm_messages")
      .updateMany({}, { $unset: Object.fromEntries(older.mongoUnset.map((field) => [field, ""])) });
    await client.close();
  } else {
    const client = createClient({ url: location.url });
    for (const statement of older.sqlite) await client.execute(statement);
    client.close();
  }
  const store =
    kind.name === "sqlite"
      ? createSqliteStore({ url: location.url, busyTimeoutMs: 2_000 })
      : createMongoStore({ ...location, timeoutMs: 2_000 });
  await store.init();
  return {
    store,
    dispose: async () => {
      await store.close();
      await dispose();
    },
  };
}
