import { describe, expect, it } from "vitest";
import { waitFor } from "@dogi/testing";
import { postChatHi } from "../testing/start-service.ts";
import { tinyModelInference } from "../testing/suite.ts";

const inference = tinyModelInference({
  INFERENCE_PARALLEL: 2,
  // One test process is one caller; batching, not the fair split between callers, is tested here.
  INFERENCE_SLOTS_PER_CALLER: 0,
});

async function complete(body: Record<string, unknown>, url = inference.url) {
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "default", prompt: "<|im_start|>assistant\n", ...body }),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      choices: Array<{ finish_reason: string }>;
      usage: { completion_tokens: number };
      error?: { param: string };
    },
  };
}

describe("the ignore_eos extension", () => {
  it("makes every answer run to max_tokens, where some end early without it", async () => {
    const seeds = Array.from({ length: 32 }, (_, i) => i + 1);
    const free = [];
    const forced = [];
    for (const seed of seeds) {
      free.push(await complete({ seed, max_tokens: 24, temperature: 1.5 }));
      forced.push(await complete({ seed, max_tokens: 24, temperature: 1.5, ignore_eos: true }));
    }
    // The random tiny model ends its turn early for some seeds: that is what is masked below.
    expect(free.some((r) => r.body.usage.completion_tokens < 24)).toBe(true);
    for (const { status, body } of forced) {
      expect(status).toBe(200);
      expect(body.usage.completion_tokens).toBe(24);
      expect(body.choices[0]?.finish_reason).toBe("length");
    }
  });

  it("works for chat completions too, and counts every token up to max_tokens", async () => {
    // Some answers end in text that might begin the chat template's stop text: node-llama-cpp
    // holds those last tokens back from onToken, and the count must still reach max_tokens.
    for (let i = 0; i < 40; i++) {
      const completion = await inference.client.chat.completions.create({
        model: "default",
        messages: [{ role: "user", content: `hi ${i}` }],
        max_tokens: 12,
        ...({ ignore_eos: true } as object),
      });
      expect(completion.usage?.completion_tokens).toBe(12);
      expect(completion.choices[0]?.finish_reason).toBe("length");
    }
  });

  it("is refused with a grammar, which could then never end", async () => {
    const response = await postChatHi(inference.url, {
      response_format: { type: "json_object" },
      ignore_eos: true,
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { param: string } };
    expect(body.error.param).toBe("ignore_eos");
  });

  it("rejects a value that is not a boolean, naming it", async () => {
    const { status, body } = await complete({ ignore_eos: "yes" });
    expect(status).toBe(400);
    expect(body.error?.param).toBe("ignore_eos");
  });
});

async function batchCounters(url = inference.url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`${name}\\{[^}]*\\} (\\d+)`).exec(text)?.[1]);
  return {
    batches: read("inference_decode_batches_total"),
    steps: read("inference_batch_sequence_steps_total"),
    passes: read("inference_decode_passes_total"),
  };
}

describe("batching", () => {
  it("decodes two concurrent streams in the same batches", async () => {
    const before = await batchCounters();
    const tokens = 40;
    const results = await Promise.all(
      [11, 12].map((seed) =>
        complete({ seed, max_tokens: tokens, ignore_eos: true, prompt: `question ${seed}` }),
      ),
    );
    expect(results.map((r) => r.body.usage.completion_tokens)).toEqual([tokens, tokens]);
    const after = await batchCounters();
    const batches = after.batches - before.batches;
    const steps = after.steps - before.steps;
    // Two prompts and 2 x 39 decode steps. Shared batches carry about two sequences each;
    // batches that each carried one would make the ratio about 1.
    expect(steps).toBeGreaterThanOrEqual(2 * tokens);
    expect(steps / batches).toBeGreaterThan(1.8);
  });

  it("lets a newcomer in while another sequence keeps generating", async () => {
    // Both sequences first hold earlier prompts, so the newcomer's sequence must be erased,
    // which needs the context lock that the running generation's batch loop keeps taking.
    await Promise.all([
      complete({ max_tokens: 2, prompt: "earlier one" }),
      complete({ max_tokens: 2, prompt: "earlier two" }),
    ]);
    const controller = new AbortController();
    let longDone = false;
    const long = fetch(`${inference.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "default",
        prompt: "a long story",
        max_tokens: 1800,
        ignore_eos: true,
        stream: true,
      }),
      signal: controller.signal,
    });
    try {
      const response = await long;
      const reader = response.body?.getReader();
      if (!reader) throw new Error("no body");
      await reader.read();
      const finished = (async () => {
        for (;;) if ((await reader.read()).done) break;
        longDone = true;
      })().catch(() => undefined);
      const newcomer = await complete({ max_tokens: 4, prompt: "a newcomer", ignore_eos: true });
      expect(newcomer.body.usage.completion_tokens).toBe(4);
      // It did not have to wait for the long generation to end.
      expect(longDone).toBe(false);
      controller.abort();
      await finished;
    } finally {
      controller.abort();
    }
  });
});

describe("decode passes", () => {
  const four = tinyModelInference({
    INFERENCE_PARALLEL: 4,
    INFERENCE_SLOTS_PER_CALLER: 0,
  });

  it("keep concurrent streams on consecutive sequences, one pass over the model per batch", async () => {
    // Four requests of different lengths free their slots out of order (1, 3, 2, 0).
    await Promise.all(
      [8, 2, 6, 4].map((max_tokens, index) =>
        complete({ max_tokens, ignore_eos: true, prompt: `warm ${index}` }, four.url),
      ),
    );
    const before = await batchCounters(four.url);
    const tokens = 30;
    const results = await Promise.all(
      [21, 22].map((seed) =>
        complete(
          { seed, max_tokens: tokens, ignore_eos: true, prompt: `question ${seed}` },
          four.url,
        ),
      ),
    );
    expect(results.map((r) => r.body.usage.completion_tokens)).toEqual([tokens, tokens]);
    const after = await batchCounters(four.url);
    const batches = after.batches - before.batches;
    expect(after.steps - before.steps).toBeGreaterThanOrEqual(2 * tokens);
    // Taking the first slots freed (1 and 3) would leave a gap: two passes per batch. So
    // would the same two sequences queued in the order 1, 0.
    expect(after.passes - before.passes).toBe(batches);
  });

  it("keep a newcomer next to the running sequence even when a distant slot shares a few tokens", async () => {
    const controller = new AbortController();
    /** Starts a long streamed completion; resolves once its first chunk arrived. */
    const startStream = async (prompt: string) => {
      const response = await fetch(`${four.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "default",
          prompt,
          max_tokens: 1500,
          ignore_eos: true,
          stream: true,
        }),
        signal: controller.signal,
      });
      const reader = response.body?.getReader();
      if (!reader) throw new Error("no body");
      await reader.read();
      return async () => {
        await reader.cancel();
        await waitFor(() => four.service.engine.status().scheduler.busySequences === 0, {
          what: "the cancelled streams to free their sequences",
          intervalMs: 5,
        });
      };
    };
    const shared = "zebra crossing near the old harbour";
    try {
      // Each starts while the earlier ones run, so they take slots 0, 1, 2 and 3 in turn; slot 3
      // keeps a prompt that the newcomer below begins with.
      const warm = [];
      for (const prompt of ["alpha one", "beta two", "gamma three", `${shared} at dawn`]) {
        warm.push(await startStream(prompt));
      }
      for (const stop of warm) await stop();
      const before = await batchCounters(four.url);
      // Alone, this one takes slot 0; the newcomer then has slot 3's shared tokens on offer.
      const stopRunning = await startStream("an unrelated long story");
      const newcomer = await complete(
        { max_tokens: 20, ignore_eos: true, prompt: `${shared} at dusk` },
        four.url,
      );
      expect(newcomer.body.usage.completion_tokens).toBe(20);
      await stopRunning();
      const after = await batchCounters(four.url);
      // Slot 3 beside slot 0 would split every shared batch into two passes.
      expect(after.passes - before.passes).toBe(after.batches - before.batches);
    } finally {
      controller.abort();
    }
  });
});
