import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { Dialect } from "./dialect.ts";
import type { HealthRecordStore } from "./health-records.ts";

/** The pets' health records over one dialect: every query once, for MySQL/MariaDB and SQLite alike. */
export function createHealthRecordQueries(
  dialect: Pick<Dialect, "db" | "tables" | "affectedRows">,
): HealthRecordStore {
  const { db, affectedRows: affected } = dialect;
  const entries = dialect.tables.petHealthEntries;
  // By date, undated entries (allergies) last, then in the order added.
  const byDate = [
    sql`${entries.recordedOn} IS NULL`,
    asc(entries.recordedOn),
    asc(entries.createdAt),
    asc(entries.entryId),
  ];
  const ofPet = (userId: string, petId: string) =>
    and(eq(entries.userId, userId), eq(entries.petId, petId));
  const one = (userId: string, petId: string, entryId: string) =>
    and(ofPet(userId, petId), eq(entries.entryId, entryId));
  return {
    async listEntries(userId, petId) {
      return db
        .select()
        .from(entries)
        .where(ofPet(userId, petId))
        .orderBy(...byDate);
    },
    async countEntries(userId, petId) {
      const [row] = await db.select({ n: count() }).from(entries).where(ofPet(userId, petId));
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
      return (
        affected(
          await db
            .update(entries)
            .set(change)
            .where(one(userId, petId, entryId)),
        ) === 1
      );
    },
    async deleteEntry(userId, petId, entryId) {
      return affected(await db.delete(entries).where(one(userId, petId, entryId))) === 1;
    },
  };
}
