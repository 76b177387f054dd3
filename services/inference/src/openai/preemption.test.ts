import { describe, expect, it } from "vitest";
import { waitFor } from "@dogi/testing";
import { tinyModelInference } from "../testing/suite.ts";

// One sequence decodes at a time, and one more holds a generation paused for a person.

const inference = tinyModelInference({
  INFERENCE_PARALLEL: 1,
  INFERENCE_PAUSED_SEQUENCES: 1,
  INFERENCE_QUEUE_MAX: 4,
});

const MAX_TOKENS = 1200;

/** A greedy stream that only max_tokens ends (a grammar keeps the random model writing). */
async function longStream(caller: string, onChunk?: (chunks: number) => void) {
  const response = await fetch(`${inference.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-dogi-caller": caller },
    body: JSON.stringify({
      model: "default",
      messages: [{ role: "user", content: "Tell me everything about cats." }],
      max_tokens: MAX_TOKENS,
      temperature: 0,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "long",
          schema: { type: "array", minItems: 200, items: { type: "string", minLength: 40 } },
        },
      },
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  expect(response.status).toBe(200);
  const decoder = new TextDecoder();
  let buffered = "";
  let text = "";
  let chunks = 0;
  let completionTokens: number | undefined;
  let finishReason: string | undefined;
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    for (let end = buffered.indexOf("\n\n"); end !== -1; end = buffered.indexOf("\n\n")) {
      const frame = buffered.slice(0, end).replace(/^data: /, "");
      buffered = buffered.slice(end + 2);
      if (frame === "[DONE]") continue;
      const event = JSON.parse(frame) as {
        choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
        usage?: { completion_tokens: number } | null;
      };
      const [choice] = event.choices;
      if (choice?.delta.content) {
        text += choice.delta.content;
        chunks += 1;
        onChunk?.(chunks);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (event.usage) completionTokens = event.usage.completion_tokens;
    }
  }
  return { text, completionTokens, finishReason, endedAt: performance.now() };
}

async function pausedTotal(): Promise<number> {
  const metrics = await (await fetch(`${inference.url}/metrics`)).text();
  return Number(/inference_generations_paused_total\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? NaN);
}

describe("preemption of long generations", () => {
  it("pauses a flooding caller's long stream for a person, who answers first; the stream loses and repeats nothing", async () => {
    // The stream alone: what it says when nothing pauses it.
    const alone = await longStream("flooder");
    expect(alone.completionTokens).toBe(MAX_TOKENS);
    const before = await pausedTotal();

    // The same stream, with a second of the flooder's waiting behind it, and a person arriving
    // once it is long (past 256 tokens).
    let streamed = 0;
    const first = longStream("flooder", (chunks) => (streamed = chunks));
    const second = longStream("flooder");
    await waitFor(() => streamed >= 300, { what: "a long stream", timeoutMs: 60_000 });
    const person = await inference.client.chat.completions.create(
      { model: "default", messages: [{ role: "user", content: "hi" }], max_tokens: 8 },
      { headers: { "x-dogi-caller": "person" } },
    );
    const answeredAt = performance.now();
    const [flooded] = await Promise.all([first, second]);

    expect(person.choices[0]?.message).toBeDefined();
    expect(answeredAt).toBeLessThan(flooded.endedAt);
    expect(await pausedTotal()).toBeGreaterThan(before);
    // Paused and resumed, the stream is the one it would have been.
    expect(flooded.finishReason).toBe("length");
    expect(flooded.completionTokens).toBe(MAX_TOKENS);
    expect(flooded.text).toBe(alone.text);
  });
});
