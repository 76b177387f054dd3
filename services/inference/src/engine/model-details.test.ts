import { copyFile, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTinyModel } from "@dogi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferenceTrpc, startTestInference } from "../testing/start-service.ts";
import type { TestInference } from "../testing/start-service.ts";
import { quantisationName } from "./model-details.ts";

const client = (url: string) => inferenceTrpc(url, 10_000);

describe("the operator console's models", () => {
  let dir: string;
  let inference: TestInference;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dogi-model-details-"));
    // The default (first by name) loads; the second is not a GGUF file at all and fails.
    await copyFile(await ensureTinyModel(), join(dir, "a-tiny.gguf"));
    await writeFile(join(dir, "b-broken.gguf"), "this is not a model");
    inference = await startTestInference({ MODELS_DIR: dir });
  }, 120_000);

  afterAll(async () => {
    await inference?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("describes a loaded model: size, quantisation, context and where it runs", async () => {
    const report = await client(inference.url).admin.models.query();
    const tiny = report.models.find((m) => m.id === "a-tiny");
    expect(tiny).toMatchObject({
      file: "a-tiny.gguf",
      sizeBytes: (await stat(join(dir, "a-tiny.gguf"))).size,
      // The tiny test model is written with F16 tensors (GGUF file type 1).
      quantisation: "F16",
      contextSize: 2048,
      device: "cpu",
      gpuMemoryBytes: null,
      isDefault: true,
      state: "loaded",
      error: null,
    });
    expect(report.defaultModel).toBe("a-tiny");
    expect(report.upstream).toEqual({ configured: false, host: null, inUse: false });
    expect(report.operatorHint).toBeNull();
  });

  it("shows why a model failed to load", async () => {
    await expect
      .poll(async () => (await client(inference.url).admin.models.query()).models, {
        timeout: 30_000,
      })
      .toContainEqual(
        expect.objectContaining({
          id: "b-broken",
          state: "failed",
          quantisation: null,
          error: expect.stringMatching(/\S/) as unknown as string,
        }),
      );
  });
});

describe("with no model and an upstream API", () => {
  let dir: string;
  let inference: TestInference;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dogi-model-details-none-"));
    inference = await startTestInference({
      MODELS_DIR: dir,
      UPSTREAM_BASE_URL: "https://api.example.test/v1",
      UPSTREAM_API_KEY: "sk-secret-upstream-key",
    });
  });

  afterAll(async () => {
    await inference?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("names the upstream by host, never its key, and says it is in use", async () => {
    const report = await client(inference.url).admin.models.query();
    expect(report.models).toEqual([]);
    expect(report.upstream).toEqual({ configured: true, host: "api.example.test", inUse: true });
    expect(JSON.stringify(report)).not.toContain("sk-secret-upstream-key");
  });
});

describe("quantisationName", () => {
  it("names llama.cpp file types as quantize does, and nothing for an unknown one", () => {
    expect(quantisationName(15)).toBe("Q4_K_M");
    expect(quantisationName(7)).toBe("Q8_0");
    expect(quantisationName(undefined)).toBeNull();
    expect(quantisationName(9_999)).toBeNull();
  });
});
