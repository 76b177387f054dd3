import { describe, expect, it } from "vitest";
import { endlessAnswerFormat, waitFor } from "@dogi/testing";
import { tinyModelInference } from "../testing/suite.ts";

// Two sequences and a queue of one: the third concurrent request waits, the fourth is refused.

const inference = tinyModelInference({
  INFERENCE_PARALLEL: 2,
  INFERENCE_QUEUE_MAX: 1,
  // These tests fill both sequences from one caller; the fair split has its own tests.
  INFERENCE_SLOTS_PER_CALLER: 0,
});

const scheduler = () => inference.service.engine.status().scheduler;

/** A long generation the test can cut off: streaming, with a large token budget. */
function longRequest(signal: AbortSignal, stream = true, caller?: string) {
  return fetch(`${inference.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(caller ? { "x-dogi-caller": caller } : {}) },
    body: JSON.stringify({
      model: "default",
      messages: [{ role: "user", content: "Tell me everything about cats." }],
      max_tokens: 1800,
      // Only the token limit or a disconnect ends it.
      response_format: endlessAnswerFormat,
      temperature: 1,
      stream,
    }),
    signal,
  });
}

describe("scheduling across sequences", () => {
  it("decodes concurrent requests side by side, each to its own length", async () => {
    const ask = (seed: number, max: number) =>
      inference.client.chat.completions.create({
        model: "default",
        messages: [{ role: "user", content: `question ${seed}` }],
        max_tokens: max,
        seed,
      });
    const [a, b] = await Promise.all([ask(1, 6), ask(2, 9)]);
    expect(a.usage?.completion_tokens).toBeLessThanOrEqual(6);
    expect(b.usage?.completion_tokens).toBeLessThanOrEqual(9);
    expect(scheduler().busySequences).toBe(0);
  });

  it("refuses a request beyond the sequences and the queue with 503 and Retry-After", async () => {
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const running = controllers.map((c) => longRequest(c.signal).catch(() => undefined));
    try {
      await waitFor(() => scheduler().busySequences === 2 && scheduler().queueDepth === 1, {
        what: "two busy sequences and one queued request",
        timeoutMs: 20_000,
      });
      const refused = await fetch(`${inference.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const body = (await refused.json()) as { error: { type: string } };
      expect(body.error.type).toBe("service_unavailable_error");
    } finally {
      for (const controller of controllers) controller.abort();
      await Promise.all(running);
    }
    // Disconnects free the sequences and empty the queue.
    await waitFor(() => scheduler().busySequences === 0 && scheduler().queueDepth === 0, {
      what: "freed sequences",
      timeoutMs: 10_000,
    });
  });

  it.each([true, false])(
    "cancels the generation when the client disconnects (stream %s) and frees its sequence",
    async (stream) => {
      const controller = new AbortController();
      if (stream) {
        // Headers and the first chunk arrive once generation runs; then hang up mid-stream.
        const response = await longRequest(controller.signal, true);
        await response.body?.getReader().read();
        expect(scheduler().busySequences).toBe(1);
        controller.abort();
      } else {
        // Non-streaming: hang up while the answer is still being generated.
        const pending = longRequest(controller.signal, false).catch(() => undefined);
        await waitFor(() => scheduler().busySequences === 1, {
          what: "a busy sequence",
          timeoutMs: 20_000,
          intervalMs: 10,
        });
        controller.abort();
        await pending;
      }
      const abortedAt = Date.now();
      await waitFor(() => scheduler().busySequences === 0, {
        what: "the freed sequence",
        timeoutMs: 5_000,
        intervalMs: 10,
      });
      // 1800 tokens take seconds; a cancelled request lets go within a decode step or two.
      expect(Date.now() - abortedAt).toBeLessThan(2_000);
      const next = await inference.client.chat.completions.create({
        model: "default",
        messages: [{ role: "user", content: "next" }],
        max_tokens: 3,
      });
      expect(next.choices).toHaveLength(1);
    },
  );

  it("serves a queued request once a sequence frees up, in arrival order", async () => {
    const order: number[] = [];
    const ask = (index: number) =>
      inference.client.chat.completions
        .create({
          model: "default",
          messages: [{ role: "user", content: `q${index}` }],
          max_tokens: 8,
          seed: index,
        })
        .then((r) => {
          order.push(index);
          return r;
        });
    const results = await Promise.all([ask(1), ask(2), ask(3)]);
    expect(results.every((r) => r.choices.length === 1)).toBe(true);
    expect(order).toHaveLength(3);
    expect(scheduler().queueDepth).toBe(0);
  });

  it("gives a queued place of a caller holding every sequence to another caller (429 to the first)", async () => {
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const flood = controllers.map((c) => longRequest(c.signal, true, "flooder"));
    const owner = new AbortController();
    try {
      await waitFor(() => scheduler().busySequences === 2 && scheduler().queueDepth === 1, {
        what: "the flooder holding both sequences and the queue",
        timeoutMs: 20_000,
      });
      const ownerAnswer = longRequest(owner.signal, true, "owner");
      // The flooder's queued request is refused with 429 and Retry-After; the owner waits.
      const { refused, index } = await Promise.race(
        flood.map((f, i) =>
          f.then((r) =>
            r.status === 429 ? { refused: r, index: i } : new Promise<never>(() => {}),
          ),
        ),
      );
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as { error: { type: string } }).error.type).toBe(
        "rate_limit_error",
      );
      expect(scheduler().queueDepth).toBe(1);
      // One of the flooder's running streams ends: the owner gets its sequence.
      controllers[(index + 1) % controllers.length]?.abort();
      const response = await ownerAnswer;
      expect(response.status).toBe(200);
      await response.body?.getReader().read();
      expect(scheduler().queueDepth).toBe(0);
    } finally {
      for (const controller of [...controllers, owner]) controller.abort();
      await Promise.all(flood.map((f) => f.catch(() => undefined)));
    }
    await waitFor(() => scheduler().busySequences === 0 && scheduler().queueDepth === 0, {
      what: "freed sequences",
      timeoutMs: 10_000,
    });
  });

  it("lets a long stream join only some batches while a person's short answer runs, never none", async () => {
    const heavy = new AbortController();
    let streamed = 0;
    const response = await longRequest(heavy.signal, true, "heavy");
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
        streamed += decoder.decode(chunk, { stream: true }).split('"content"').length - 1;
    })().catch(() => undefined);
    try {
      // Past the steps after which a generation counts as long (256).
      await waitFor(() => streamed > 300, { what: "a long stream", timeoutMs: 30_000 });
      const before = streamed;
      const answer = await inference.client.chat.completions.create(
        {
          model: "default",
          messages: [{ role: "user", content: "Is my dog ok?" }],
          max_tokens: 64,
          ignore_eos: true,
        } as never,
        { headers: { "x-dogi-caller": "person" } },
      );
      const during = streamed - before;
      expect(answer.usage?.completion_tokens).toBe(64);
      // Side by side the stream would have taken a step in each of the person's 64 batches;
      // yielding, it takes about one in four, and some all the same.
      expect(during).toBeLessThan(40);
      expect(during).toBeGreaterThan(0);
    } finally {
      heavy.abort();
      await reading;
    }
  });
});
