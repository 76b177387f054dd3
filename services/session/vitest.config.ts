import { defineConfig } from "vitest/config";

export default defineConfig({
  // The suites start FerretDB; the recovery test stops and restarts it.
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
