import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeGgufModel } from "./write-model.ts";

/** Where the benchmarks keep what they build or generate (llama-server, the bench model). */
export const benchCache = path.join(os.homedir(), ".cache", "dogi");

/** The bench preset's GGUF (about 288 MB), written on first use. */
export async function ensureBenchModel(log: (line: string) => void = () => {}): Promise<string> {
  const file = path.join(benchCache, "bench-model", "dogi-bench-270m-q8_0.gguf");
  if (!existsSync(file)) {
    log(`writing the bench model to ${file}`);
    await writeGgufModel({ preset: "bench", outPath: file });
  }
  return file;
}
