import { defineConfig } from "vitest/config";

export default defineConfig({
  // The suites start a real MariaDB server; argon2id hashes take tens of milliseconds each.
  test: { testTimeout: 60_000, hookTimeout: 120_000 },
});
