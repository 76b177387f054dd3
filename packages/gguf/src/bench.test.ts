import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaCompletion, getLlama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeGgufModel } from "./write-model.ts";

// The bench preset is ~290 MB; it is written to a temp directory and removed afterwards.
let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dogi-gguf-bench-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the bench preset", () => {
  it(
    "writes a ~270M-parameter Q8_0 llama model that node-llama-cpp loads and runs",
    { timeout: 300_000 },
    async () => {
      const model = await writeGgufModel({ preset: "bench", outPath: join(dir, "bench.gguf") });
      expect(Math.abs(model.parameterCount - 270e6) / 270e6).toBeLessThan(0.05);
      expect((await stat(model.path)).size).toBe(model.bytes);
      // Q8_0 stores 34 bytes per 32 weights; the tokenizer and header add well under 2 MB.
      expect(model.bytes).toBeGreaterThan((model.parameterCount * 34) / 32);
      expect(model.bytes).toBeLessThan((model.parameterCount * 34) / 32 + 2e6);

      const llama = await getLlama({ gpu: false, build: "never" });
      try {
        const loaded = await llama.loadModel({ modelPath: model.path });
        expect(loaded.fileInfo.metadata.general.file_type).toBe(7);
        const context = await loaded.createContext({
          contextSize: 256,
          threads: llama.cpuMathCores,
        });
        const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
        const tokens: number[] = [];
        await completion.generateCompletion("My dog ate chocolate.", {
          maxTokens: 4,
          temperature: 1,
          seed: 5,
          onToken: (chunk) => tokens.push(...chunk),
        });
        expect(tokens.length).toBeGreaterThan(0);
      } finally {
        await llama.dispose();
      }
    },
  );
});
