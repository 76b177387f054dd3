import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/mysql2";
import { migrate } from "drizzle-orm/mysql2/migrator";
import { createPool } from "mysql2/promise";
import type { AuthStore } from "./interface.ts";
import { errorChain } from "./dialect.ts";
import * as schema from "./mysql/schema/index.ts";
import { createQueryStore } from "./queries.ts";

const migrationsFolder = fileURLToPath(new URL("../../drizzle/mysql", import.meta.url));

/** mysql2 answers a write with `[ResultSetHeader, fields]`. */
function affectedRows(result: unknown): number {
  const header: unknown = Array.isArray(result) ? result[0] : undefined;
  if (typeof header === "object" && header !== null && "affectedRows" in header) {
    if (typeof header.affectedRows === "number") return header.affectedRows;
  }
  throw new Error("mysql2 answered a write without affectedRows");
}

function isUniqueViolation(error: unknown): boolean {
  return errorChain(error).some((e) => e.code === "ER_DUP_ENTRY");
}

/** The MySQL/MariaDB adapter (mysql2 pool, utf8mb4). */
export function createMySqlStore(
  url: string,
  options: { connectTimeoutMs?: number } = {},
): AuthStore {
  const pool = createPool({
    uri: url,
    connectionLimit: 10,
    charset: "utf8mb4_unicode_ci",
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    // Dates are written and read as UTC, whatever the server's time zone.
    timezone: "Z",
  });
  const db = drizzle({ client: pool });
  const { accountDeletions } = schema;

  return createQueryStore({
    db,
    tables: schema,
    affectedRows,
    isUniqueViolation,
    // Transactions run side by side; the rows they must not share are locked instead.
    serialised: (work) => work(),
    lockingReads: true,
    insertDeletionIfAbsent: async (tx, row) =>
      affectedRows(await tx.insert(accountDeletions).ignore().values(row)),
    async migrate() {
      await migrate(db, { migrationsFolder });
    },
    async ping() {
      await db.execute(sql`SELECT 1`);
    },
    async close() {
      await pool.end();
    },
  });
}
