import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import type { HealthRecordStore } from "../health-records.ts";
import { petHealthEntries as entries } from "./schema/index.ts";

const byDate = [
  sql`${entries.recordedOn} IS NULL`,
  asc(entries.recordedOn),
  asc(entries.createdAt),
  asc(entries.entryId),
];

/** The SQLite adapter of the pets' health records. */
export function createSqliteHealthRecords(db: LibSQLDatabase): HealthRecordStore {
  const one = (userId: string, petId: string, entryId: string) =>
    and(eq(entries.userId, userId), eq(entries.petId, petId), eq(entries.entryId, entryId));
  return {
    async listEntries(userId, petId) {
      return db
        .select()
        .from(entries)
        .where(and(eq(entries.userId, userId), eq(entries.petId, petId)))
        .orderBy(...byDate);
    },
    async countEntries(userId, petId) {
      const [row] = await db
        .select({ n: count() })
        .from(entries)
        .where(and(eq(entries.userId, userId), eq(entries.petId, petId)));
      return row?.n ?? 0;
    },
    async listEntriesOfKinds(userId, kinds) {
      return db
        .select()
        .from(entries)
        .where(and(eq(entries.userId, userId), inArray(entries.kind, [...kinds])))
        .orderBy(...byDate);
    },
    async insertEntry(entry) {
      await db.insert(entries).values(entry);
    },
    async getEntry(userId, petId, entryId) {
      const rows = await db
        .select()
        .from(entries)
        .where(one(userId, petId, entryId))
        .limit(1);
      return rows[0] ?? null;
    },
    async updateEntry(userId, petId, entryId, change) {
      const result = await db
        .update(entries)
        .set(change)
        .where(one(userId, petId, entryId));
      return result.rowsAffected === 1;
    },
    async deleteEntry(userId, petId, entryId) {
      const result = await db.delete(entries).where(one(userId, petId, entryId));
      return result.rowsAffected === 1;
    },
  };
}
