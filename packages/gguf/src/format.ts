/**
 * A GGUF v3 file writer (spec: ggml/docs/gguf.md). The header (metadata and tensor infos) is
 * built in memory; tensor data is pulled chunk by chunk from each tensor's source and written
 * straight to disk, so a 300 MB model never sits in memory at once.
 */
import { open, rename, rm } from "node:fs/promises";
import { type GgmlType, tensorByteSize } from "./quant.ts";

const GGUF_MAGIC = "GGUF";
const GGUF_VERSION = 3;
/** The alignment the spec assumes when general.alignment is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** GGUF metadata value type ids. */
const ValueType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

/** A typed metadata value; GGUF readers check types, so a count must be uint32, not int32. */
export type GgufValue =
  | { type: "string"; value: string }
  | { type: "uint32"; value: number }
  | { type: "int32"; value: number }
  | { type: "float32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "uint64"; value: bigint }
  | { type: "string[]"; value: readonly string[] }
  | { type: "float32[]"; value: ArrayLike<number> }
  | { type: "int32[]"; value: ArrayLike<number> };

export type GgufMetadata = ReadonlyArray<readonly [key: string, value: GgufValue]>;

/** A tensor: its shape innermost-first (ggml's ne order), type, and a source of its bytes. */
export interface GgufTensor {
  name: string;
  dims: readonly number[];
  type: GgmlType;
  /** Yields the encoded data in order; the total must equal the tensor's byte size. */
  data: () => Iterable<Uint8Array>;
}

/** Growable little-endian byte buffer for the header. */
class ByteWriter {
  private buffer = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const next = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  u8(value: number): void {
    this.reserve(1);
    this.length = this.buffer.writeUInt8(value, this.length);
  }
  u32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeUInt32LE(value, this.length);
  }
  i32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeInt32LE(value, this.length);
  }
  f32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeFloatLE(value, this.length);
  }
  u64(value: bigint | number): void {
    this.reserve(8);
    this.length = this.buffer.writeBigUInt64LE(BigInt(value), this.length);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, "utf8");
    this.u64(bytes.length);
    this.reserve(bytes.length);
    this.length += bytes.copy(this.buffer, this.length);
  }
  padTo(alignment: number): void {
    const padding = paddingFor(this.length, alignment);
    this.reserve(padding);
    this.buffer.fill(0, this.length, this.length + padding);
    this.length += padding;
  }
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function paddingFor(offset: number, alignment: number): number {
  return (alignment - (offset % alignment)) % alignment;
}

function writeValue(out: ByteWriter, value: GgufValue): void {
  switch (value.type) {
    case "string":
      out.u32(ValueType.string);
      return out.string(value.value);
    case "uint32":
      out.u32(ValueType.uint32);
      return out.u32(value.value);
    case "int32":
      out.u32(ValueType.int32);
      return out.i32(value.value);
    case "float32":
      out.u32(ValueType.float32);
      return out.f32(value.value);
    case "bool":
      out.u32(ValueType.bool);
      return out.u8(value.value ? 1 : 0);
    case "uint64":
      out.u32(ValueType.uint64);
      return out.u64(value.value);
    case "string[]":
      out.u32(ValueType.array);
      out.u32(ValueType.string);
      out.u64(value.value.length);
      for (const item of value.value) out.string(item);
      return;
    case "float32[]":
      out.u32(ValueType.array);
      out.u32(ValueType.float32);
      out.u64(value.value.length);
      for (let i = 0; i < value.value.length; i++) out.f32(value.value[i] ?? 0);
      return;
    case "int32[]":
      out.u32(ValueType.array);
      out.u32(ValueType.int32);
      out.u64(value.value.length);
      for (let i = 0; i < value.value.length; i++) out.i32(value.value[i] ?? 0);
      return;
  }
}

/** Number of values in a tensor of these dims. */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

function alignmentOf(metadata: GgufMetadata): number {
  const entry = metadata.find(([key]) => key === "general.alignment");
  if (!entry) return GGUF_DEFAULT_ALIGNMENT;
  const [, value] = entry;
  if (value.type !== "uint32" || value.value <= 0 || value.value % 8 !== 0) {
    throw new Error("general.alignment must be a uint32 multiple of 8");
  }
  return value.value;
}

/** Serializes the header: magic, version, counts, metadata, tensor infos, padding to the data. */
function buildHeader(metadata: GgufMetadata, tensors: readonly GgufTensor[], alignment: number) {
  const keys = new Set<string>();
  const out = new ByteWriter();
  out.u32(Buffer.from(GGUF_MAGIC, "latin1").readUInt32LE(0));
  out.u32(GGUF_VERSION);
  out.u64(tensors.length);
  out.u64(metadata.length);
  for (const [key, value] of metadata) {
    if (keys.has(key)) throw new Error(`duplicate GGUF metadata key ${key}`);
    keys.add(key);
    out.string(key);
    writeValue(out, value);
  }
  // Offsets are relative to the data section; llama.cpp requires each tensor to start exactly
  // where the previous one ends, padded to the alignment.
  let offset = 0;
  const sizes: number[] = [];
  const names = new Set<string>();
  for (const tensor of tensors) {
    if (names.has(tensor.name)) throw new Error(`duplicate tensor ${tensor.name}`);
    names.add(tensor.name);
    const size = tensorByteSize(tensor.type, elementCount(tensor.dims));
    sizes.push(size);
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const dim of tensor.dims) out.u64(dim);
    out.u32(tensor.type);
    out.u64(offset);
    offset += size + paddingFor(size, alignment);
  }
  out.padTo(alignment);
  return { header: out.bytes(), sizes };
}

/** Writes a GGUF v3 file atomically (temp file, then rename) and returns its size in bytes. */
export async function writeGgufFile(
  path: string,
  metadata: GgufMetadata,
  tensors: readonly GgufTensor[],
): Promise<number> {
  const alignment = alignmentOf(metadata);
  const { header, sizes } = buildHeader(metadata, tensors, alignment);
  // A unique temp name lets parallel test workers build the same cached file without clobbering.
  const tempPath = `${path}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  const file = await open(tempPath, "w");
  let written = 0;
  try {
    written += (await file.write(header)).bytesWritten;
    const zeros = new Uint8Array(alignment);
    for (const [index, tensor] of tensors.entries()) {
      const expected = sizes[index] ?? 0;
      let produced = 0;
      for (const chunk of tensor.data()) {
        produced += chunk.byteLength;
        written += (await file.write(chunk)).bytesWritten;
      }
      if (produced !== expected) {
        throw new Error(`tensor ${tensor.name}: wrote ${produced} bytes, expected ${expected}`);
      }
      const padding = paddingFor(produced, alignment);
      if (padding > 0) written += (await file.write(zeros, 0, padding)).bytesWritten;
    }
    await file.close();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(tempPath, { force: true });
    throw error;
  }
  await rename(tempPath, path);
  return written;
}
