import { defineConfig } from "vitest/config";

export default defineConfig({
  // The end-to-end suites start the whole stack (Chroma, five services, a tiny GGUF model)
  // as real processes; on two cores that takes tens of seconds.
  test: { testTimeout: 120_000, hookTimeout: 200_000 },
});
