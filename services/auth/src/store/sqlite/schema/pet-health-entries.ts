import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { pets } from "./pets.ts";
import { users } from "./users.ts";

/**
 * A pet's health record, one row per dated entry of any kind (vaccination, parasite, medication,
 * weight, visit, allergy): the kind's fields are JSON in `details`, checked by the contracts'
 * schema of that kind. `recorded_on` is the entry's date for ordering; `due_on` the next due date
 * of a vaccination or parasite prevention, so that "due soon" is one indexed query.
 */
export const petHealthEntries = sqliteTable(
  "pet_health_entries",
  {
    entryId: text("entry_id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.userId, { onDelete: "cascade" }),
    petId: text("pet_id")
      .notNull()
      .references(() => pets.petId, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    recordedOn: text("recorded_on"),
    dueOn: text("due_on"),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [
    index("pet_health_entries_pet_idx").on(table.userId, table.petId, table.recordedOn),
    index("pet_health_entries_due_idx").on(table.userId, table.dueOn),
  ],
);
