import { defineConfig } from "drizzle-kit";

// `pnpm db:generate` writes the MySQL migrations that the service applies at start-up.
export default defineConfig({
  dialect: "mysql",
  schema: "./src/store/mysql/schema/index.ts",
  out: "./drizzle/mysql",
  casing: "snake_case",
});
