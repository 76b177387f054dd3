import { defineConfig } from "vitest/config";

export default defineConfig({
  // The suites load real GGUF models into node-llama-cpp; on two CPU cores loading and
  // decoding share the machine with the other suites' servers.
  test: { testTimeout: 60_000, hookTimeout: 120_000 },
});
