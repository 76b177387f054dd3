import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users.ts";

/** Pets, each owned by one user. */
export const pets = sqliteTable(
  "pets",
  {
    petId: text("pet_id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.userId, { onDelete: "cascade" }),
    name: text("name").notNull(),
    species: text("species").notNull(),
    breed: text("breed"),
    birthDate: text("birth_date"),
    weightKg: real("weight_kg"),
    sex: text("sex").notNull(),
    neutered: integer("neutered", { mode: "boolean" }),
    knownConditions: text("known_conditions", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (table) => [index("pets_user_id_idx").on(table.userId, table.createdAt)],
);
