import { defineConfig } from "vitest/config";

export default defineConfig({
  // The process tests start the real launcher, Chroma and five services.
  test: { testTimeout: 180_000, hookTimeout: 180_000 },
});
