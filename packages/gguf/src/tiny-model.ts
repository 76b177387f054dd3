import { createHash } from "node:crypto";
import { access, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TensorTypeName } from "./presets.ts";
import { presets } from "./presets.ts";
import { DEFAULT_SEED, writeGgufModel } from "./write-model.ts";

/** Where cached fixture models live unless a test passes its own directory. */
export const DEFAULT_GGUF_CACHE_DIR = join(tmpdir(), "dogi-gguf-cache");

export interface EnsureTinyModelOptions {
  dir?: string;
  seed?: number;
  tensorType?: TensorTypeName;
}

let sourceHash: Promise<string> | undefined;

// The cache key covers the writer's own source, so any change to the format, vocabulary or
// weights yields a new file instead of a stale one from an earlier run.
function writerSourceHash(): Promise<string> {
  sourceHash ??= (async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const files = (await readdir(here))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .sort();
    const hash = createHash("sha256");
    for (const file of files) hash.update(file).update(await readFile(join(here, file)));
    return hash.digest("hex").slice(0, 16);
  })();
  return sourceHash;
}

/** Path of the tiny test model, written once per writer version and reused from the cache after. */
export async function ensureTinyModel(options: EnsureTinyModelOptions = {}): Promise<string> {
  const dir = options.dir ?? DEFAULT_GGUF_CACHE_DIR;
  const seed = options.seed ?? DEFAULT_SEED;
  const tensorType = options.tensorType ?? presets.tiny.defaultTensorType;
  const path = join(dir, `tiny-${tensorType}-s${seed}-${await writerSourceHash()}.gguf`);
  try {
    await access(path);
    return path;
  } catch {
    // Not cached yet. The writer renames a finished temp file into place, so a file that
    // exists is always complete, even when parallel workers race to create it.
    await writeGgufModel({ preset: "tiny", outPath: path, seed, tensorType });
    return path;
  }
}
