/** Model shapes the writer knows; every matrix row length is a multiple of 32 so Q8_0 fits. */

/** The ggml types a model's weight matrices can use (norm weights are always F32). */
export type TensorTypeName = "f32" | "f16" | "q8_0";

/** Hyperparameters of a llama-architecture model. */
export interface LlamaShape {
  vocabSize: number;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  rmsNormEps: number;
  ropeFreqBase: number;
}

export interface Preset {
  name: string;
  shape: LlamaShape;
  defaultTensorType: TensorTypeName;
}

export const presets = {
  /** About 0.3M parameters, under 1 MB as F16: fast to write and load in tests. */
  tiny: {
    name: "dogi-tiny",
    shape: {
      vocabSize: 2000,
      contextLength: 2048,
      embeddingLength: 64,
      blockCount: 2,
      feedForwardLength: 192,
      headCount: 4,
      // Fewer KV heads than query heads exercises grouped-query attention.
      headCountKv: 2,
      rmsNormEps: 1e-5,
      ropeFreqBase: 10000,
    },
    defaultTensorType: "f16",
  },
  /** 271,090,688 parameters (288,803,808 bytes as Q8_0): a realistic load for benchmarks. */
  bench: {
    name: "dogi-bench-270m",
    shape: {
      vocabSize: 32000,
      contextLength: 4096,
      embeddingLength: 1024,
      blockCount: 16,
      feedForwardLength: 2816,
      headCount: 16,
      headCountKv: 16,
      rmsNormEps: 1e-5,
      ropeFreqBase: 10000,
    },
    defaultTensorType: "q8_0",
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof presets;
