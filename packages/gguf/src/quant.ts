/**
 * Encoders from float32 values to the bytes of ggml tensor types (F32, F16, Q8_0), little-endian
 * as GGUF requires. They match ggml's reference code (ggml-quants.c) so llama.cpp reads back
 * the values we meant.
 */
import { endianness } from "node:os";

/** ggml tensor type ids, as stored in GGUF tensor infos. */
export const GgmlType = { F32: 0, F16: 1, Q8_0: 8 } as const;
export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

/** Values per block and bytes per block of each type (ggml's blck_size and type_size). */
export const ggmlTypeLayout: Record<GgmlType, { blockSize: number; blockBytes: number }> = {
  [GgmlType.F32]: { blockSize: 1, blockBytes: 4 },
  [GgmlType.F16]: { blockSize: 1, blockBytes: 2 },
  // Q8_0: one f16 scale, then 32 int8 quants.
  [GgmlType.Q8_0]: { blockSize: 32, blockBytes: 34 },
};

export const Q8_0_BLOCK = 32;

// Typed arrays use the host's byte order; GGUF files are little-endian.
if (endianness() !== "LE") {
  throw new Error("the GGUF writer supports little-endian hosts only");
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE half-precision bits of `value`, rounded to nearest even like ggml's FP32_TO_FP16. */
export function toFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    // Subnormal half: shift the full 24-bit significand down, rounding half to even.
    const significand = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    let half = significand >>> shift;
    const rest = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  // A carry out of the mantissa correctly bumps the exponent (and may round up to infinity).
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** The float value of half-precision bits (used by tests and for checking scales). */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Little-endian F32 bytes of `values` (a view, no copy). */
export function encodeF32(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Little-endian F16 bytes of `values`. */
export function encodeF16(values: Float32Array): Uint8Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i] ?? 0);
  return new Uint8Array(out.buffer);
}

/** Q8_0 blocks of `values` (length a multiple of 32): per block d = max|x|/127, q = roundf(x/d). */
export function encodeQ8_0(values: Float32Array): Uint8Array {
  if (values.length % Q8_0_BLOCK !== 0) {
    throw new Error(`Q8_0 needs a multiple of ${Q8_0_BLOCK} values, got ${values.length}`);
  }
  const blocks = values.length / Q8_0_BLOCK;
  const out = new Uint8Array(blocks * 34);
  const view = new DataView(out.buffer);
  const quants = new Int8Array(out.buffer);
  for (let block = 0; block < blocks; block++) {
    const start = block * Q8_0_BLOCK;
    let amax = 0;
    for (let i = 0; i < Q8_0_BLOCK; i++) {
      const magnitude = Math.abs(values[start + i] ?? 0);
      if (magnitude > amax) amax = magnitude;
    }
    const scale = Math.fround(amax / 127);
    const inverse = scale !== 0 ? Math.fround(1 / scale) : 0;
    const offset = block * 34;
    view.setUint16(offset, toFloat16Bits(scale), true);
    for (let i = 0; i < Q8_0_BLOCK; i++) {
      const scaled = Math.fround((values[start + i] ?? 0) * inverse);
      // roundf rounds halves away from zero; Math.round would round -0.5 up to 0.
      quants[offset + 2 + i] = Math.sign(scaled) * Math.floor(Math.abs(scaled) + 0.5);
    }
  }
  return out;
}

/** Bytes of a tensor with `elements` values stored as `type`. */
export function tensorByteSize(type: GgmlType, elements: number): number {
  const { blockSize, blockBytes } = ggmlTypeLayout[type];
  if (elements % blockSize !== 0) {
    throw new Error(`${elements} values do not fill whole blocks of ${blockSize}`);
  }
  return (elements / blockSize) * blockBytes;
}

/** Encodes `values` as `type`. */
export function encodeTensorData(type: GgmlType, values: Float32Array): Uint8Array {
  switch (type) {
    case GgmlType.F32:
      return encodeF32(values);
    case GgmlType.F16:
      return encodeF16(values);
    case GgmlType.Q8_0:
      return encodeQ8_0(values);
  }
}
