/**
 * The llama architecture as llama.cpp loads it (src/models/llama.cpp): metadata keys and
 * tensors, with GGUF dims innermost-first, e.g. token_embd is [n_embd, n_vocab].
 */
import type { GgufMetadata, GgufTensor } from "./format.ts";
import { GGUF_DEFAULT_ALIGNMENT, elementCount } from "./format.ts";
import { GgmlType, encodeTensorData } from "./quant.ts";
import type { LlamaShape, TensorTypeName } from "./presets.ts";
import { Rng, hashString, splitmix32 } from "./rng.ts";
import { CHATML_TEMPLATE, type Vocabulary } from "./tokenizer.ts";

/** Standard deviation of random weights: small enough that activations stay finite. */
export const WEIGHT_STD = 0.02;
// Values generated per chunk: 4 MB of float32, a multiple of the Q8_0 block.
const CHUNK_VALUES = 1 << 20;

const ggmlTypes: Record<TensorTypeName, GgmlType> = {
  f32: GgmlType.F32,
  f16: GgmlType.F16,
  q8_0: GgmlType.Q8_0,
};

// llama.cpp's llama_ftype values: ALL_F32, MOSTLY_F16, MOSTLY_Q8_0.
const fileTypes: Record<TensorTypeName, number> = { f32: 0, f16: 1, q8_0: 7 };

/** A tensor to write: its shape and how its values are made. */
interface TensorPlan {
  name: string;
  dims: readonly number[];
  type: GgmlType;
  init: "ones" | "normal";
}

function headDim(shape: LlamaShape): number {
  if (shape.embeddingLength % shape.headCount !== 0) {
    throw new Error("embeddingLength must be divisible by headCount");
  }
  return shape.embeddingLength / shape.headCount;
}

/** The tensors llama.cpp expects for `shape`, in llama.cpp's conversion order. */
export function llamaTensorPlan(shape: LlamaShape, tensorType: TensorTypeName): TensorPlan[] {
  const matrix = ggmlTypes[tensorType];
  const nEmbd = shape.embeddingLength;
  const nKv = headDim(shape) * shape.headCountKv;
  const nFf = shape.feedForwardLength;
  const weight = (name: string, dims: number[]): TensorPlan => ({
    name,
    dims,
    type: matrix,
    init: "normal",
  });
  // RMS norm weights of 1 keep each layer's input at unit scale, as in a freshly initialized model.
  const norm = (name: string): TensorPlan => ({
    name,
    dims: [nEmbd],
    type: GgmlType.F32,
    init: "ones",
  });
  const plan: TensorPlan[] = [weight("token_embd.weight", [nEmbd, shape.vocabSize])];
  for (let block = 0; block < shape.blockCount; block++) {
    const prefix = `blk.${block}`;
    plan.push(
      norm(`${prefix}.attn_norm.weight`),
      weight(`${prefix}.attn_q.weight`, [nEmbd, nEmbd]),
      weight(`${prefix}.attn_k.weight`, [nEmbd, nKv]),
      weight(`${prefix}.attn_v.weight`, [nEmbd, nKv]),
      weight(`${prefix}.attn_output.weight`, [nEmbd, nEmbd]),
      norm(`${prefix}.ffn_norm.weight`),
      weight(`${prefix}.ffn_gate.weight`, [nEmbd, nFf]),
      weight(`${prefix}.ffn_up.weight`, [nEmbd, nFf]),
      weight(`${prefix}.ffn_down.weight`, [nFf, nEmbd]),
    );
  }
  plan.push(norm("output_norm.weight"), weight("output.weight", [nEmbd, shape.vocabSize]));
  for (const tensor of plan) {
    // Quantized blocks run along the innermost dimension, so rows must fill whole blocks.
    if (tensor.type === GgmlType.Q8_0 && (tensor.dims[0] ?? 0) % 32 !== 0) {
      throw new Error(`${tensor.name}: row length ${tensor.dims[0]} is not a multiple of 32`);
    }
  }
  return plan;
}

/** Exact number of weights in a llama model of this shape. */
export function countParameters(shape: LlamaShape): number {
  return llamaTensorPlan(shape, "f32").reduce((sum, tensor) => sum + elementCount(tensor.dims), 0);
}

/** Encoded data of a planned tensor, generated lazily from a stream seeded by (seed, name). */
function* tensorChunks(plan: TensorPlan, seed: number): Generator<Uint8Array> {
  const total = elementCount(plan.dims);
  // Each tensor has its own stream, so its bytes do not depend on the tensors before it.
  const rng = new Rng(splitmix32(seed ^ hashString(plan.name)));
  for (let done = 0; done < total; done += CHUNK_VALUES) {
    const values = new Float32Array(Math.min(CHUNK_VALUES, total - done));
    if (plan.init === "ones") values.fill(1);
    else rng.fillNormal(values, WEIGHT_STD);
    yield encodeTensorData(plan.type, values);
  }
}

/** GGUF tensors with seeded random weights for `shape`. */
export function llamaTensors(
  shape: LlamaShape,
  tensorType: TensorTypeName,
  seed: number,
): GgufTensor[] {
  return llamaTensorPlan(shape, tensorType).map((plan) => ({
    name: plan.name,
    dims: plan.dims,
    type: plan.type,
    data: () => tensorChunks(plan, seed),
  }));
}

/** The metadata of a llama model: general.*, llama.* hyperparameters and the tokenizer. */
export function llamaMetadata(options: {
  name: string;
  shape: LlamaShape;
  tensorType: TensorTypeName;
  vocabulary: Vocabulary;
}): GgufMetadata {
  const { shape, vocabulary } = options;
  const u32 = (value: number) => ({ type: "uint32", value }) as const;
  const f32 = (value: number) => ({ type: "float32", value }) as const;
  const metadata: Array<readonly [string, GgufMetadata[number][1]]> = [
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: options.name }],
    ["general.file_type", u32(fileTypes[options.tensorType])],
    ["general.alignment", u32(GGUF_DEFAULT_ALIGNMENT)],
    ["llama.vocab_size", u32(shape.vocabSize)],
    ["llama.context_length", u32(shape.contextLength)],
    ["llama.embedding_length", u32(shape.embeddingLength)],
    ["llama.block_count", u32(shape.blockCount)],
    ["llama.feed_forward_length", u32(shape.feedForwardLength)],
    ["llama.attention.head_count", u32(shape.headCount)],
    ["llama.attention.head_count_kv", u32(shape.headCountKv)],
    ["llama.rope.dimension_count", u32(headDim(shape))],
    ["llama.rope.freq_base", f32(shape.ropeFreqBase)],
    ["llama.attention.layer_norm_rms_epsilon", f32(shape.rmsNormEps)],
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "string[]", value: vocabulary.tokens }],
    ["tokenizer.ggml.scores", { type: "float32[]", value: vocabulary.scores }],
    ["tokenizer.ggml.token_type", { type: "int32[]", value: vocabulary.types }],
    ["tokenizer.ggml.bos_token_id", u32(vocabulary.bosId)],
    ["tokenizer.ggml.eos_token_id", u32(vocabulary.eosId)],
    ["tokenizer.ggml.unknown_token_id", u32(vocabulary.unkId)],
    ["tokenizer.ggml.padding_token_id", u32(vocabulary.padId)],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
    ["tokenizer.chat_template", { type: "string", value: CHATML_TEMPLATE }],
  ];
  // The quantization format version llama.cpp's own quantizer writes for quantized files.
  if (options.tensorType === "q8_0") metadata.push(["general.quantization_version", u32(2)]);
  return metadata;
}
