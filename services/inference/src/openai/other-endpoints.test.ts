import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModel } from "@dogi/testing";
import { modelIdFromPath } from "../engine/model-files.ts";
import { startTestInference } from "../testing/start-service.ts";
import type { TestInference } from "../testing/start-service.ts";

let inference: TestInference;
let modelId: string;

beforeAll(async () => {
  const path = await ensureTinyModel();
  modelId = modelIdFromPath(path);
  inference = await startTestInference({ MODEL_PATH: path, MODEL_ALIASES: `dogi=${modelId}` });
});

afterAll(async () => {
  await inference?.close();
});

describe("POST /v1/completions", () => {
  it("continues a prompt with usage counts, 16 tokens at most by default", async () => {
    const completion = await inference.client.completions.create({
      model: "dogi",
      prompt: "My cat sneezes",
      seed: 1,
    });
    expect(completion.object).toBe("text_completion");
    expect(completion.model).toBe(modelId);
    expect(typeof completion.choices[0]?.text).toBe("string");
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(16);
  });

  it("streams text chunks that add up to the non-streamed text", async () => {
    const request = { model: modelId, prompt: "Dogs", max_tokens: 8, seed: 5 };
    const whole = await inference.client.completions.create(request);
    const stream = await inference.client.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.choices[0]?.text);
    expect(usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
  });
});

/** The OpenAI SDK's error from a request that must fail. */
async function apiError(request: Promise<unknown>) {
  const error = await request.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe("POST /v1/completions with token ids", () => {
  it("continues token ids as it continues the text they spell", async () => {
    const model = inference.service.engine.loadedModels()[0];
    if (!model) throw new Error("no model");
    const text = "My dog sneezes";
    // A fixed seed: without one node-llama-cpp seeds with the clock's second, so two requests
    // that straddle a second (a loaded CI machine) sample differently from the first token.
    const complete = (prompt: string | number[]) =>
      inference.client.completions.create({ model: modelId, prompt, max_tokens: 8, seed: 3 });
    const tokens = [
      model.model.tokens.bos,
      ...model.model.tokenize(text, false, "trimLeadingSpace"),
    ];
    // Compared from the same cache state: a prompt evaluated whole and one continued from a
    // cached prefix can differ in the last bits of their logits, which flips the near-ties of a
    // random-weights model. After a first run, each request finds the same prefix cached.
    await complete(text);
    const fromTokens = await complete(tokens.map(Number));
    const fromText = await complete(text);
    expect(fromTokens.usage?.prompt_tokens).toBe(fromText.usage?.prompt_tokens);
    expect(fromTokens.choices[0]?.text).toBe(fromText.choices[0]?.text);
  });

  it("refuses a token id outside the vocabulary with a 400 naming it, then serves the next request", async () => {
    const size = inference.service.engine.loadedModels()[0]?.vocabularySize ?? 0;
    expect(size).toBeGreaterThan(0);
    const error = await apiError(
      inference.client.completions.create({ model: modelId, prompt: [[1, size]], max_tokens: 2 }),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe("prompt");
    expect(error.message).toContain(`token id ${size} is not in ${modelId}'s vocabulary`);
    const next = await inference.client.completions.create({ model: modelId, prompt: [1, 2] });
    expect(next.usage?.prompt_tokens).toBe(2);
  });
});

describe("POST /v1/embeddings", () => {
  it("refuses an empty string and unknown token ids, naming the input", async () => {
    const empty = await apiError(inference.client.embeddings.create({ model: modelId, input: "" }));
    expect(empty.status).toBe(400);
    expect(empty.param).toBe("input");
    const size = inference.service.engine.loadedModels()[0]?.vocabularySize ?? 0;
    const unknown = await apiError(
      inference.client.embeddings.create({ model: modelId, input: [[1, 2], [size + 5]] }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.param).toBe("input.1");
    expect(unknown.message).toContain(`token id ${size + 5}`);
  });

  it("embeds one string as floats", async () => {
    const result = await inference.client.embeddings.create({
      model: modelId,
      input: "강아지",
      encoding_format: "float",
    });
    expect(result.data).toHaveLength(1);
    expect(result.data[0]?.embedding).toHaveLength(64);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("embeds a list in order, through the SDK's default base64 encoding", async () => {
    const result = await inference.client.embeddings.create({
      model: modelId,
      input: ["dog", "고양이", "dog"],
    });
    expect(result.data.map((d) => d.index)).toEqual([0, 1, 2]);
    const [first, second, third] = result.data.map((d) => d.embedding);
    expect(first).toHaveLength(64);
    expect(third).toEqual(first);
    expect(second).not.toEqual(first);
    expect(first?.every((value) => Number.isFinite(value))).toBe(true);
  });
});

describe("GET /v1/models", () => {
  it("lists the loaded model and its aliases", async () => {
    const ids = [];
    for await (const model of inference.client.models.list()) ids.push(model.id);
    expect(ids).toEqual([modelId, "dogi"]);
    const one = await inference.client.models.retrieve("dogi");
    expect(one.id).toBe("dogi");
  });
});

describe("GET /metrics", () => {
  it("exposes request, token and scheduler metrics in Prometheus text", async () => {
    await inference.client.chat.completions.create({
      model: modelId,
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 2,
    });
    const text = await (await fetch(`${inference.url}/metrics`)).text();
    expect(text).toMatch(
      new RegExp(
        `inference_requests_total\\{endpoint="chat",model="${modelId}",status="200"\\} [1-9]`,
      ),
    );
    expect(text).toMatch(/inference_completion_tokens_total\{model="[^"]+"\} [1-9]/);
    expect(text).toMatch(/inference_time_to_first_token_seconds_count [1-9]/);
    expect(text).toContain("inference_queue_depth 0");
    expect(text).toContain("inference_busy_sequences 0");
    // CPU only here: no GPU memory series.
    expect(text).not.toMatch(/inference_gpu_memory_bytes\{/);
    // Node's own series, from prom-client: CPU, event-loop lag, heap.
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });
});
