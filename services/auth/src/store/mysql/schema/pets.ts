import {
  boolean,
  datetime,
  double,
  index,
  json,
  mysqlTable,
  varchar,
} from "drizzle-orm/mysql-core";
import { users } from "./users.ts";

/** Pets, each owned by one user. */
export const pets = mysqlTable(
  "pets",
  {
    petId: varchar("pet_id", { length: 36 }).primaryKey(),
    userId: varchar("user_id", { length: 36 })
      .notNull()
      .references(() => users.userId, { onDelete: "cascade" }),
    name: varchar("name", { length: 50 }).notNull(),
    species: varchar("species", { length: 8 }).notNull(),
    breed: varchar("breed", { length: 80 }),
    birthDate: varchar("birth_date", { length: 10 }),
    weightKg: double("weight_kg"),
    sex: varchar("sex", { length: 8 }).notNull(),
    neutered: boolean("neutered"),
    knownConditions: json("known_conditions").$type<string[]>().notNull(),
    createdAt: datetime("created_at", { mode: "date", fsp: 3 }).notNull(),
    updatedAt: datetime("updated_at", { mode: "date", fsp: 3 }).notNull(),
  },
  (table) => [index("pets_user_id_idx").on(table.userId, table.createdAt)],
);
