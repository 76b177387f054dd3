import { defineConfig } from "drizzle-kit";

// `pnpm db:generate` writes the SQLite migrations that the service applies at start-up.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/sqlite/schema/index.ts",
  out: "./drizzle/sqlite",
  casing: "snake_case",
});
