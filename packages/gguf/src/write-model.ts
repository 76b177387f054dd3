import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeGgufFile } from "./format.ts";
import { countParameters, llamaMetadata, llamaTensors } from "./llama.ts";
import { type PresetName, type TensorTypeName, presets } from "./presets.ts";
import { buildVocabulary } from "./tokenizer.ts";

export const DEFAULT_SEED = 42;

export interface WriteGgufModelOptions {
  preset: PresetName;
  outPath: string;
  /** Seed of the random weights; the same seed gives a byte-identical file. */
  seed?: number;
  /** Type of the weight matrices; defaults to the preset's (tiny: f16, bench: q8_0). */
  tensorType?: TensorTypeName;
}

export interface WrittenGgufModel {
  path: string;
  bytes: number;
  parameterCount: number;
}

/** Writes a llama-architecture GGUF model with seeded random weights, streaming it to `outPath`. */
export async function writeGgufModel(options: WriteGgufModelOptions): Promise<WrittenGgufModel> {
  const preset = presets[options.preset];
  const tensorType = options.tensorType ?? preset.defaultTensorType;
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const metadata = llamaMetadata({
    name: preset.name,
    shape: preset.shape,
    tensorType,
    vocabulary: buildVocabulary(preset.shape.vocabSize),
  });
  await mkdir(dirname(options.outPath), { recursive: true });
  // Seeds above 32 bits are folded in, so every distinct safe integer still selects a stream.
  const seed32 = (seed ^ Math.floor(seed / 2 ** 32)) >>> 0;
  const bytes = await writeGgufFile(
    options.outPath,
    metadata,
    llamaTensors(preset.shape, tensorType, seed32),
  );
  return { path: options.outPath, bytes, parameterCount: countParameters(preset.shape) };
}
