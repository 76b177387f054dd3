import { existsSync } from "node:fs";
import type { Client, InValue } from "@libsql/client";
import { createClient } from "@libsql/client";

/**
 * One account deletion recorded by auth (table account_deletions). Only user_id is relied on; the
 * other columns (deleted_at, ...) are carried as they are, so the table can grow without this file.
 */
export type Tombstone = Record<string, InValue> & { user_id: string };

/** What a replay did, for the restore's report. */
export interface TombstoneReplay {
  /** Tombstones added to the restored database's account_deletions. */
  recorded: number;
  /** Accounts of deleted users that the restored database still held, now removed. */
  usersRemoved: number;
  /** Why something was skipped, when it was. */
  note?: string;
}

/** Applies tombstones to the restored auth database (see {@link sqliteTombstoneReplay}). */
export type ApplyTombstones = (tombstones: readonly Tombstone[]) => Promise<TombstoneReplay>;

const TABLE = "account_deletions";
// A user's rows in auth, children before the user (the schema cascades only with foreign_keys on).
const userTables = ["api_keys", "refresh_tokens", "pets", "user_profiles", "users"];

async function tableNames(client: Client): Promise<Set<string>> {
  const rows = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table'");
  return new Set(rows.rows.map((row) => String(row.name)));
}

/**
 * The tombstones in the auth database at `authFile` before a restore replaces it: none when the
 * file or the table does not exist (auth without durable deletions yet), with a note saying so.
 */
export async function readTombstones(
  authFile: string,
): Promise<{ tombstones: Tombstone[]; note?: string }> {
  if (!existsSync(authFile)) return { tombstones: [], note: `no auth database at ${authFile}` };
  const client = createClient({ url: `file:${authFile}`, timeout: 10_000 });
  try {
    if (!(await tableNames(client)).has(TABLE))
      return { tombstones: [], note: `the auth database has no ${TABLE} table yet` };
    const result = await client.execute(`SELECT * FROM ${TABLE}`);
    const tombstones = result.rows.map((row) => {
      const tombstone: Record<string, InValue> = {};
      for (const column of result.columns) tombstone[column] = row[column] ?? null;
      return { ...tombstone, user_id: String(row.user_id) };
    });
    return { tombstones };
  } finally {
    client.close();
  }
}

/**
 * The restore's tombstone step: deletions made after the backup was taken must survive the
 * restore, or a restore would bring back accounts their owners deleted. `apply` does the work on
 * the restored database; today {@link sqliteTombstoneReplay}, later auth's own store function.
 */
export async function replayTombstones(
  tombstones: readonly Tombstone[],
  apply: ApplyTombstones,
): Promise<TombstoneReplay> {
  if (tombstones.length === 0) return { recorded: 0, usersRemoved: 0, note: "no tombstones" };
  return apply(tombstones);
}

/**
 * Replays tombstones directly in SQL on the auth SQLite file: records each missing one in
 * account_deletions (when the restored database has that table) and deletes the user's rows.
 */
export function sqliteTombstoneReplay(authFile: string): ApplyTombstones {
  return async (tombstones) => {
    const client = createClient({ url: `file:${authFile}`, timeout: 10_000 });
    try {
      const tables = await tableNames(client);
      let columns: string[] = [];
      if (tables.has(TABLE)) {
        const info = await client.execute(`PRAGMA table_info(${TABLE})`);
        columns = info.rows.map((row) => String(row.name));
      }
      let recorded = 0;
      let usersRemoved = 0;
      const tx = await client.transaction("write");
      try {
        for (const tombstone of tombstones) {
          if (columns.length > 0) {
            const carried = columns.filter((column) => column in tombstone);
            const inserted = await tx.execute({
              sql:
                `INSERT INTO ${TABLE} (${carried.map((c) => `"${c}"`).join(", ")}) ` +
                `SELECT ${carried.map(() => "?").join(", ")} ` +
                `WHERE NOT EXISTS (SELECT 1 FROM ${TABLE} WHERE user_id = ?)`,
              args: [...carried.map((column) => tombstone[column] ?? null), tombstone.user_id],
            });
            recorded += inserted.rowsAffected;
          }
          for (const table of userTables.filter((name) => tables.has(name))) {
            const deleted = await tx.execute({
              sql: `DELETE FROM ${table} WHERE user_id = ?`,
              args: [tombstone.user_id],
            });
            if (table === "users") usersRemoved += deleted.rowsAffected;
          }
        }
        await tx.commit();
      } finally {
        tx.close();
      }
      return columns.length > 0
        ? { recorded, usersRemoved }
        : {
            recorded,
            usersRemoved,
            note: `the restored auth database has no ${TABLE} table: the deletions were applied but not recorded there`,
          };
    } finally {
      client.close();
    }
  };
}
