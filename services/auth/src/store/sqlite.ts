import { fileURLToPath } from "node:url";
import { SerialQueue } from "@dogi/process";
import { createClient } from "@libsql/client";
import { preparePrivateSqliteFile, sqliteFilePath } from "@dogi/config/private-files";
import { drizzle } from "drizzle-orm/libsql";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import type { AuthStore } from "./interface.ts";
import type { Dialect, QueryTx } from "./dialect.ts";
import { errorChain } from "./dialect.ts";
import * as schema from "./sqlite/schema/index.ts";
import { createQueryStore } from "./queries.ts";

const migrationsFolder = fileURLToPath(new URL("../../drizzle/sqlite", import.meta.url));

type SqliteTx = Parameters<Parameters<LibSQLDatabase["transaction"]>[0]>[0];

/** libsql answers a write with a ResultSet. */
function affectedRows(result: unknown): number {
  if (typeof result === "object" && result !== null && "rowsAffected" in result) {
    if (typeof result.rowsAffected === "number") return result.rowsAffected;
  }
  throw new Error("libsql answered a write without rowsAffected");
}

function isUniqueViolation(error: unknown): boolean {
  return errorChain(error).some(({ code, message }) => {
    if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return true;
    return (
      typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT") && /UNIQUE/.test(message)
    );
  });
}

/** The embedded SQLite adapter (@libsql/client); `url` is file:PATH. */
export function createSqliteStore(url: string): AuthStore {
  const file = sqliteFilePath(url);
  if (file !== undefined) preparePrivateSqliteFile(file);
  // A busy wait instead of SQLITE_BUSY when another connection of the pool is writing.
  const client = createClient({ url, timeout: 5_000 });
  const db = drizzle({ client });
  // One writer at a time, as SQLite wants anyway.
  const writer = new SerialQueue();

  // The query layer is typed with drizzle's MySQL builder (see QueryDb); these are the SQLite
  // builder and tables, which answer the same calls.
  const handles = { db, tables: schema } as unknown as Pick<Dialect, "db" | "tables">;
  const sqliteTx = (tx: QueryTx) => tx as unknown as SqliteTx;

  return createQueryStore({
    ...handles,
    affectedRows,
    isUniqueViolation,
    serialised: (work) => writer.run(work),
    // No row locks: the one writer at a time above keeps a read and its write together.
    lockingReads: false,
    insertDeletionIfAbsent: async (tx, row) =>
      affectedRows(
        await sqliteTx(tx).insert(schema.accountDeletions).values(row).onConflictDoNothing(),
      ),
    async migrate() {
      await client.execute("PRAGMA journal_mode = WAL");
      await migrate(db, { migrationsFolder });
    },
    async ping() {
      await client.execute("SELECT 1");
    },
    async close() {
      client.close();
    },
  });
}
