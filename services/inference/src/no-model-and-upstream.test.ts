import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTinyModel, serveForTest, testInternalSecret } from "@dogi/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInferenceService } from "./service.ts";
import type { InferenceSettings } from "./service.ts";
import { inferenceTrpc, postChatHi, startTestInference } from "./testing/start-service.ts";
import type { TestInference } from "./testing/start-service.ts";

let emptyDir: string;

beforeAll(async () => {
  emptyDir = await mkdtemp(join(tmpdir(), "dogi-no-models-"));
});

afterAll(async () => {
  await rm(emptyDir, { recursive: true, force: true });
});

const statusClient = (url: string) => inferenceTrpc(url, 5_000);

describe("with no model at all", () => {
  let inference: TestInference;

  beforeAll(async () => {
    inference = await startTestInference({ MODELS_DIR: emptyDir });
  });

  afterAll(async () => {
    await inference?.close();
  });

  it("is ready, lists no models and says so through the status procedure", async () => {
    const ready = await fetch(`${inference.url}/readyz`);
    expect(ready.status).toBe(200);
    const models = await inference.client.models.list();
    expect(models.data).toEqual([]);
    const status = await statusClient(inference.url).status.query();
    expect(status.mode).toBe("none");
    expect(status.canGenerate).toBe(false);
    expect(status.hint).toContain("models/");
  });

  it("answers chat with a 503 that says how to add a model", async () => {
    const error = await inference.client.chat.completions
      .create({ model: "default", messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(503);
    expect(apiError.code).toBe("no_model");
    expect(apiError.message).toContain("dogi pull");
    expect(apiError.message).toContain("MODEL_PATH");
  });
});

/** One small sequence with no upstream, on `modelPath` (createInferenceService, without the harness). */
function smallSettings(modelPath: string, requestTimeoutMs: number): InferenceSettings {
  return {
    MODEL_PATH: modelPath,
    MODELS_DIR: emptyDir,
    MODEL_ALIASES: undefined,
    DEFAULT_MODEL: undefined,
    LLAMA_GPU: "off",
    INTERNAL_SECRET: testInternalSecret,
    INTERNAL_HOSTNAMES: [],
    INFERENCE_PUBLIC: true,
    INFERENCE_THREADS: 1,
    INFERENCE_PARALLEL: 1,
    INFERENCE_CONTEXT_SIZE: 256,
    INFERENCE_QUEUE_MAX: 1,
    INFERENCE_PARKED_PREFIX_MB: 0,
    INFERENCE_REQUEST_TIMEOUT_MS: requestTimeoutMs,
    UPSTREAM_BASE_URL: undefined,
    UPSTREAM_API_KEY: undefined,
    UPSTREAM_MODEL: "x",
    UPSTREAM_TIMEOUT_MS: 1000,
    UPSTREAM_IDLE_TIMEOUT_MS: 1000,
    DOGI_DEV_ERRORS: false,
  };
}

describe("model files that cannot be used", () => {
  it("fails at start-up naming a MODEL_PATH that does not exist", async () => {
    const missing = join(emptyDir, "nope.gguf");
    const logger = (await import("@dogi/logger")).createLogger({ service: "t", level: "silent" });
    await expect(createInferenceService(smallSettings(missing, 1000), logger)).rejects.toThrow(
      missing,
    );
  });

  it("fails to start naming a corrupt model file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dogi-corrupt-"));
    const corrupt = join(dir, "broken.gguf");
    await writeFile(corrupt, Buffer.from("GGUF this is not a model"));
    try {
      await expect(startTestInference({ MODELS_DIR: dir })).rejects.toThrow(corrupt);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// A GPU backend that cannot start on this platform, whatever its hardware.
const absentGpu = process.platform === "darwin" ? "cuda" : "metal";

describe(`LLAMA_GPU=${absentGpu}, which cannot start here`, () => {
  it("fails at start-up saying so and how to fall back to the CPU", async () => {
    await expect(
      startTestInference({ MODEL_PATH: await ensureTinyModel(), LLAMA_GPU: absentGpu }),
    ).rejects.toThrow(
      new RegExp(
        `^LLAMA_GPU=${absentGpu}: llama.cpp could not start on ${absentGpu} .*LLAMA_GPU=auto`,
      ),
    );
  });
});

interface Recorded {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** A second local HTTP server playing the OpenAI-compatible upstream; it records requests. */
async function startFakeUpstream() {
  const recorded: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      recorded.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      const base = {
        id: "up-1",
        created: 1,
        model: String(body.model),
        system_fingerprint: null,
      };
      if (body.stream) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const chunk = (delta: object, finish: string | null) =>
          `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
        res.write(chunk({ role: "assistant", content: "" }, null));
        res.write(chunk({ content: "from upstream" }, null));
        res.write(chunk({}, "stop"));
        res.end("data: [DONE]\n\n");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          ...base,
          object: "chat.completion",
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: "from upstream", refusal: null },
              finish_reason: "stop",
              logprobs: null,
            },
          ],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    recorded,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("with an upstream as the backup model", () => {
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  let upstreamUrl: string;
  let recorded: Recorded[];
  let inference: TestInference;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    upstreamUrl = upstream.url;
    recorded = upstream.recorded;
    inference = await startTestInference({
      MODELS_DIR: emptyDir,
      UPSTREAM_BASE_URL: upstreamUrl,
      UPSTREAM_API_KEY: "sk-upstream",
      UPSTREAM_MODEL: "backup-model",
    });
  });

  afterAll(async () => {
    await inference?.close();
    await upstream?.close();
  });

  it("sends a chat the local engine cannot serve to the upstream, cleaned and under its model", async () => {
    const completion = await inference.client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 5,
      // Dropped before forwarding: nothing unknown reaches the upstream, nor our extensions.
      ...({ some_unknown_field: 1, ignore_eos: true } as object),
    });
    expect(completion.choices[0]?.message.content).toBe("from upstream");
    const last = recorded.at(-1);
    expect(last?.path).toBe("/v1/chat/completions");
    expect(last?.authorization).toBe("Bearer sk-upstream");
    expect(last?.body.model).toBe("backup-model");
    expect(last?.body.max_tokens).toBe(5);
    expect(last?.body).not.toHaveProperty("some_unknown_field");
    expect(last?.body).not.toHaveProperty("ignore_eos");
  });

  it("relays an upstream stream chunk by chunk", async () => {
    const stream = await inference.client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("from upstream");
  });

  it("reports upstream mode and can still generate", async () => {
    const status = await statusClient(inference.url).status.query();
    expect(status.mode).toBe("upstream");
    expect(status.canGenerate).toBe(true);
    expect(status.upstream).toEqual({ baseUrl: upstreamUrl, model: "backup-model" });
    const models = await inference.client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["backup-model"]);
  });

  it("answers 503 when the upstream is down too", async () => {
    const down = await startTestInference({
      MODELS_DIR: emptyDir,
      UPSTREAM_BASE_URL: "http://127.0.0.1:9/v1",
    });
    try {
      const error = await down.client.chat.completions
        .create({ model: "default", messages: [{ role: "user", content: "hi" }] })
        .catch((caught: unknown) => caught);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    } finally {
      await down.close();
    }
  });
});

describe(`with an upstream, a local model and LLAMA_GPU=${absentGpu}`, () => {
  it("serves from the upstream and reports why the model is not loaded", async () => {
    const upstream = await startFakeUpstream();
    const inference = await startTestInference({
      MODEL_PATH: await ensureTinyModel(),
      LLAMA_GPU: absentGpu,
      UPSTREAM_BASE_URL: upstream.url,
      UPSTREAM_MODEL: "backup-model",
    });
    try {
      expect((await fetch(`${inference.url}/readyz`)).status).toBe(200);
      const completion = await inference.client.chat.completions.create({
        model: "default",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(completion.choices[0]?.message.content).toBe("from upstream");
      const status = await statusClient(inference.url).status.query();
      expect(status.mode).toBe("upstream");
      expect(status.models).toEqual([
        expect.objectContaining({
          state: "failed",
          error: expect.stringContaining(`LLAMA_GPU=${absentGpu}`),
        }),
      ]);
    } finally {
      await inference.close();
      await upstream.close();
    }
  });
});

describe("with a local model, an upstream, and an engine that fails", () => {
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });

  afterAll(async () => {
    await upstream?.close();
  });

  /** A service on the tiny model whose context is then disposed: every decode throws. */
  async function startAndBreak() {
    const inference = await startTestInference({
      MODEL_PATH: await ensureTinyModel(),
      INFERENCE_PARALLEL: 1,
      UPSTREAM_BASE_URL: upstream.url,
      UPSTREAM_MODEL: "backup-model",
    });
    const [model] = inference.service.engine.loadedModels();
    if (!model) throw new Error("the tiny model did not load");
    return { inference, breakEngine: () => model.context.dispose() };
  }

  it.each([false, true])(
    "sends a request to the upstream when the engine fails before the first token (stream %s)",
    async (stream) => {
      const { inference, breakEngine } = await startAndBreak();
      try {
        // The local model answers while it works.
        const local = await inference.client.chat.completions
          .create({ model: "default", messages: [{ role: "user", content: "hi" }], max_tokens: 2 })
          .withResponse();
        expect(local.response.headers.get("x-dogi-served-by")).toBeNull();
        await breakEngine();
        const before = upstream.recorded.length;
        const response = await postChatHi(inference.url, { max_tokens: 4, stream });
        expect(response.status).toBe(200);
        expect(response.headers.get("x-dogi-served-by")).toBe("upstream");
        expect(await response.text()).toContain("from upstream");
        expect(upstream.recorded.length).toBe(before + 1);
        expect(upstream.recorded.at(-1)?.body.model).toBe("backup-model");
      } finally {
        await inference.close();
      }
    },
  );

  it("does not retry upstream once the first token has been streamed", async () => {
    const { inference, breakEngine } = await startAndBreak();
    try {
      const before = upstream.recorded.length;
      const response = await fetch(`${inference.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "default",
          prompt: "Once upon a time",
          max_tokens: 1500,
          ignore_eos: true,
          stream: true,
        }),
      });
      expect(response.status).toBe(200);
      const reader = response.body?.getReader();
      if (!reader) throw new Error("no body");
      const decoder = new TextDecoder();
      let received = "";
      while (!received.includes('"text":"')) {
        const { value, done } = await reader.read();
        if (done) break;
        received += decoder.decode(value, { stream: true });
      }
      expect(received).toContain('"text":"');
      // The engine fails mid-answer.
      await breakEngine();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        received += decoder.decode(value, { stream: true });
      }
      // The stream ends with an in-band error: nothing from the upstream is spliced in.
      expect(received).toContain('"error"');
      expect(received.trimEnd().endsWith("data: [DONE]")).toBe(true);
      expect(received).not.toContain("from upstream");
      expect(upstream.recorded.length).toBe(before);
    } finally {
      await inference.close();
    }
  });
});

describe("while the default model loads", () => {
  it("answers /readyz with 503 until the model is loaded, then 200", async () => {
    const { createLogger } = await import("@dogi/logger");
    const logger = createLogger({ service: "t", level: "silent" });
    const service = await createInferenceService(
      smallSettings(await ensureTinyModel(), 10_000),
      logger,
    );
    const running = await serveForTest({
      app: service.app,
      logger,
      onShutdown: () => service.engine.dispose(),
    });
    try {
      // Not started yet: the model is pending.
      expect((await fetch(`${running.url}/readyz`)).status).toBe(503);
      const loading = service.engine.start();
      expect((await fetch(`${running.url}/readyz`)).status).toBe(503);
      await loading;
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
