import { defineConfig } from "vitest/config";

// Unit tests run in Node; the browser suite starts the whole stack and drives Debian's Chromium.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "e2e/**/*.e2e.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
