import { parseArgs } from "node:util";
import { presets, writeGgufModel } from "@dogi/gguf";
import type { PresetName } from "@dogi/gguf";
import { resolveUserPath } from "../paths.ts";
import { UsageError } from "../usage-error.ts";

export const genModelUsage = `dogi gen-model --preset tiny|bench --out PATH [--seed N]

Writes a llama-architecture GGUF model with random weights (seeded: the same seed gives the same
file). For tests and benchmarks only: it loads and generates at real speed, but says nothing useful.
PATH is relative to the folder you run the command from.

  --preset  tiny (about 0.3M parameters, under 1 MB) or bench (about 271M parameters, about 288 MB)
  --out     the .gguf file to write (its folder is created)
  --seed    integer seed of the weights (default 42)`;

function isPreset(name: string): name is PresetName {
  return Object.hasOwn(presets, name);
}

/** `dogi gen-model`: writes a GGUF test model and prints its path, size and parameter count. */
export async function genModelCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      preset: { type: "string" },
      out: { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(genModelUsage);
    return 0;
  }
  const { preset, out } = values;
  if (preset === undefined || !isPreset(preset)) {
    throw new UsageError(
      `--preset must be one of: ${Object.keys(presets).join(", ")}`,
      genModelUsage,
    );
  }
  if (out === undefined || out === "")
    throw new UsageError("--out PATH is required", genModelUsage);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new UsageError(
      `--seed must be an integer, got ${JSON.stringify(values.seed)}`,
      genModelUsage,
    );
  }

  const started = Date.now();
  const model = await writeGgufModel({ preset, outPath: resolveUserPath(out), seed });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`wrote ${model.path}`);
  console.log(
    `  preset ${preset}, ${model.parameterCount.toLocaleString("en-US")} parameters, ${formatBytes(model.bytes)} (${model.bytes} bytes), in ${seconds} s`,
  );
  return 0;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
