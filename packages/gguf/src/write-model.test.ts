import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countParameters } from "./llama.ts";
import { presets } from "./presets.ts";
import { GgmlType } from "./quant.ts";
import { ensureTinyModel } from "./tiny-model.ts";
import { writeGgufModel } from "./write-model.ts";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dogi-gguf-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeGgufModel", () => {
  it("writes byte-identical files for the same seed and different weights for another seed", async () => {
    const a = await writeGgufModel({ preset: "tiny", outPath: join(dir, "a.gguf"), seed: 7 });
    const b = await writeGgufModel({ preset: "tiny", outPath: join(dir, "b.gguf"), seed: 7 });
    const c = await writeGgufModel({ preset: "tiny", outPath: join(dir, "c.gguf"), seed: 8 });
    const [bytesA, bytesB, bytesC] = await Promise.all([a, b, c].map((m) => readFile(m.path)));
    expect(bytesA?.equals(bytesB ?? Buffer.alloc(0))).toBe(true);
    expect(bytesC?.length).toBe(bytesA?.length);
    expect(bytesA?.equals(bytesC ?? Buffer.alloc(0))).toBe(false);
    expect(a.bytes).toBe(bytesA?.length);
  });

  it.each(["f32", "f16", "q8_0"] as const)(
    "keeps the tiny %s model under 2 MB",
    async (tensorType) => {
      const model = await writeGgufModel({
        preset: "tiny",
        outPath: join(dir, `tiny-${tensorType}.gguf`),
        tensorType,
      });
      expect((await stat(model.path)).size).toBe(model.bytes);
      expect(model.bytes).toBeLessThan(2 * 1024 * 1024);
      expect(model.parameterCount).toBe(countParameters(presets.tiny.shape));
    },
  );

  it("lays out llama tensors with llama.cpp's shapes, types and 32-byte aligned offsets", async () => {
    const model = await writeGgufModel({
      preset: "tiny",
      outPath: join(dir, "layout.gguf"),
      tensorType: "q8_0",
    });
    const info = await readGgufFileInfo(model.path, { readTensorInfo: true });
    expect(info.version).toBe(3);
    expect(info.metadata.general.architecture).toBe("llama");
    expect(info.metadata.general.alignment).toBe(32);
    expect(info.metadata.general.file_type).toBe(7);
    const tensors = new Map((info.tensorInfo ?? []).map((t) => [t.name, t]));
    const {
      embeddingLength: nEmbd,
      vocabSize,
      feedForwardLength: nFf,
      blockCount,
    } = presets.tiny.shape;
    const nKv = (nEmbd / presets.tiny.shape.headCount) * presets.tiny.shape.headCountKv;
    const expected: Array<[string, number[], number]> = [
      ["token_embd.weight", [nEmbd, vocabSize], GgmlType.Q8_0],
      ["blk.1.attn_norm.weight", [nEmbd], GgmlType.F32],
      ["blk.1.attn_q.weight", [nEmbd, nEmbd], GgmlType.Q8_0],
      ["blk.1.attn_k.weight", [nEmbd, nKv], GgmlType.Q8_0],
      ["blk.1.attn_v.weight", [nEmbd, nKv], GgmlType.Q8_0],
      ["blk.1.attn_output.weight", [nEmbd, nEmbd], GgmlType.Q8_0],
      ["blk.1.ffn_norm.weight", [nEmbd], GgmlType.F32],
      ["blk.1.ffn_gate.weight", [nEmbd, nFf], GgmlType.Q8_0],
      ["blk.1.ffn_up.weight", [nEmbd, nFf], GgmlType.Q8_0],
      ["blk.1.ffn_down.weight", [nFf, nEmbd], GgmlType.Q8_0],
      ["output_norm.weight", [nEmbd], GgmlType.F32],
      ["output.weight", [nEmbd, vocabSize], GgmlType.Q8_0],
    ];
    for (const [name, dims, type] of expected) {
      const tensor = tensors.get(name);
      expect(tensor?.dimensions.map(Number), name).toEqual(dims);
      expect(tensor?.ggmlType, name).toBe(type);
    }
    expect(tensors.size).toBe(3 + 9 * blockCount);
    for (const tensor of tensors.values())
      expect(Number(tensor.fileOffset) % 32, tensor.name).toBe(0);
  });
});

describe("ensureTinyModel", () => {
  it("writes the model once and returns the cached file on later calls", async () => {
    const cacheDir = join(dir, "cache");
    const first = await ensureTinyModel({ dir: cacheDir });
    const firstStat = await stat(first);
    const [second, third] = await Promise.all([
      ensureTinyModel({ dir: cacheDir }),
      ensureTinyModel({ dir: cacheDir }),
    ]);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect((await stat(first)).mtimeMs).toBe(firstStat.mtimeMs);
    const q8 = await ensureTinyModel({ dir: cacheDir, tensorType: "q8_0" });
    expect(q8).not.toBe(first);
  });
});
