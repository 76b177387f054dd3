import { datetime, index, json, mysqlTable, varchar } from "drizzle-orm/mysql-core";
import { pets } from "./pets.ts";
import { users } from "./users.ts";

/**
 * A pet's health record, one row per dated entry of any kind (vaccination, parasite, medication,
 * weight, visit, allergy): the kind's fields are JSON in `details`, checked by the contracts'
 * schema of that kind. `recorded_on` is the entry's date for ordering; `due_on` the next due date
 * of a vaccination or parasite prevention, so that "due soon" is one indexed query.
 */
export const petHealthEntries = mysqlTable(
  "pet_health_entries",
  {
    entryId: varchar("entry_id", { length: 36 }).primaryKey(),
    userId: varchar("user_id", { length: 36 })
      .notNull()
      .references(() => users.userId, { onDelete: "cascade" }),
    petId: varchar("pet_id", { length: 36 })
      .notNull()
      .references(() => pets.petId, { onDelete: "cascade" }),
    kind: varchar("kind", { length: 16 }).notNull(),
    recordedOn: varchar("recorded_on", { length: 10 }),
    dueOn: varchar("due_on", { length: 10 }),
    details: json("details").$type<Record<string, unknown>>().notNull(),
    createdAt: datetime("created_at", { mode: "date", fsp: 3 }).notNull(),
    updatedAt: datetime("updated_at", { mode: "date", fsp: 3 }).notNull(),
  },
  (table) => [
    index("pet_health_entries_pet_idx").on(table.userId, table.petId, table.recordedOn),
    index("pet_health_entries_due_idx").on(table.userId, table.dueOn),
  ],
);
