import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { tinyModelInference } from "../testing/suite.ts";

// The tiny model writes random text: these tests check behaviour (shapes, counts, stops,
// determinism, grammar validity), never what the text says.

const inference = tinyModelInference();
const messages = [{ role: "user" as const, content: "강아지가 초콜릿을 먹었어요. What now?" }];

type CompletionOptions = Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, "model" | "messages"> &
  Partial<Pick<OpenAI.ChatCompletionCreateParamsNonStreaming, "messages">>;

/** A chat completion from the default model, of `messages` unless the options carry others. */
const complete = (options: CompletionOptions) =>
  inference.client.chat.completions.create({ model: "default", messages, ...options });

// The find_clinic tool's parameters, and the tool_choice that forces a call of it.
const clinicSearch = {
  type: "object",
  properties: { emergency: { type: "boolean" }, species: { enum: ["dog", "cat"] } },
  required: ["emergency", "species"],
};
const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const mustCallFindClinic = { type: "function" as const, function: { name: "find_clinic" } };

describe("POST /v1/chat/completions through the OpenAI SDK", () => {
  it("answers with an assistant message, usage counts and llama-server timings", async () => {
    const completion = await complete({ max_tokens: 12, seed: 7 });
    const [choice] = completion.choices;
    expect(completion.object).toBe("chat.completion");
    expect(choice?.message.role).toBe("assistant");
    expect(typeof choice?.message.content).toBe("string");
    expect(["stop", "length"]).toContain(choice?.finish_reason);
    const usage = completion.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(5);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeLessThanOrEqual(12);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    const timings = (completion as unknown as { timings: Record<string, number> }).timings;
    expect(timings.predicted_n).toBe(usage?.completion_tokens);
    expect(timings.prompt_ms).toBeGreaterThan(0);
  });

  it("stops at max_tokens with finish_reason length and exactly that many tokens", async () => {
    const completion = await complete({
      max_completion_tokens: 5,
      temperature: 1,
      // Keep the end-of-turn token out of reach so the limit is what stops it.
      seed: 11,
      stop: null,
    });
    if (completion.choices[0]?.finish_reason === "stop") {
      // A random model may still pick <|im_end|> early; then it must have been under the cap.
      expect(completion.usage?.completion_tokens).toBeLessThan(5);
    } else {
      expect(completion.choices[0]?.finish_reason).toBe("length");
      expect(completion.usage?.completion_tokens).toBe(5);
    }
  });

  it("gives the same text for the same seed, prompt and parameters", async () => {
    const ask = () =>
      complete({
        max_tokens: 16,
        temperature: 1.2,
        top_p: 0.95,
        // llama.cpp extension, not in the SDK's types.
        ...({ top_k: 40 } as object),
        seed: 1234,
      });
    const first = await ask();
    const second = await ask();
    expect(first.choices[0]?.message.content).toBeTruthy();
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    const other = await complete({
      max_tokens: 16,
      temperature: 1.2,
      top_p: 0.95,
      ...({ top_k: 40 } as object),
      seed: 999,
    });
    expect(other.choices[0]?.message.content).not.toBe(first.choices[0]?.message.content);
  });

  it("stops before a stop string and leaves the stop text out", async () => {
    const base = { max_tokens: 24, temperature: 1 };
    // Find a seed whose free-running answer is long enough to take a stop string from its
    // second half (the random model sometimes ends its turn at once).
    let seed = 0;
    let text = "";
    let start = -1;
    while (start < 0 && seed < 20) {
      seed += 1;
      const free = await complete({ ...base, seed });
      text = free.choices[0]?.message.content ?? "";
      const half = Math.floor(text.length / 2);
      const at = text.slice(half).search(/\S\S/);
      start = at >= 0 && text.length >= 8 ? half + at : -1;
    }
    expect(start).toBeGreaterThan(0);
    const stop = text.slice(start, start + 2);
    const stopped = await complete({ ...base, seed, stop: [stop] });
    const cut = stopped.choices[0]?.message.content ?? "";
    expect(stopped.choices[0]?.finish_reason).toBe("stop");
    expect(cut).not.toContain(stop);
    expect(text.startsWith(cut)).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(start);
  });

  it("streams a role chunk, content deltas, a finish reason, a usage chunk and [DONE]", async () => {
    const stream = await inference.client.chat.completions.create({
      model: "default",
      messages,
      max_tokens: 10,
      seed: 3,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const finishes = chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason));
    expect(finishes.filter(Boolean)).toHaveLength(1);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
    // The streamed text is what the same request returns without streaming.
    const whole = await complete({ max_tokens: 10, seed: 3 });
    expect(content).toBe(whole.choices[0]?.message.content);
    expect(last?.usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
  });

  it("ends the raw SSE stream with data: [DONE]", async () => {
    const response = await fetch(`${inference.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "default", messages, max_tokens: 4, stream: true }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const body = await response.text();
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(body).not.toContain('"usage"');
  });

  it("returns JSON that parses with response_format json_object", async () => {
    const completion = await complete({
      max_tokens: 200,
      seed: 5,
      temperature: 0.8,
      response_format: { type: "json_object" },
    });
    const text = completion.choices[0]?.message.content ?? "";
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it("returns JSON that validates against a json_schema", async () => {
    const completion = await complete({
      max_tokens: 120,
      seed: 9,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "triage",
          schema: {
            type: "object",
            properties: {
              urgency: { enum: ["now", "today", "watch"] },
              vet: { type: "boolean" },
            },
            required: ["urgency", "vet"],
            additionalProperties: false,
          },
        },
      },
    });
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? "") as {
      urgency: unknown;
      vet: unknown;
    };
    expect(["now", "today", "watch"]).toContain(parsed.urgency);
    expect(typeof parsed.vet).toBe("boolean");
    expect(Object.keys(parsed).sort()).toEqual(["urgency", "vet"]);
  });

  it("calls the named tool with arguments that match its parameters", async () => {
    const completion = await complete({
      max_tokens: 120,
      seed: 2,
      tools: [
        {
          type: "function",
          function: {
            name: "find_clinic",
            description: "Find an open veterinary clinic",
            parameters: clinicSearch,
          },
        },
        { type: "function", function: { name: "other_tool", parameters: { type: "object" } } },
      ],
      tool_choice: mustCallFindClinic,
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const [call] = choice?.message.tool_calls ?? [];
    expect(call?.type).toBe("function");
    if (call?.type !== "function") return;
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe("find_clinic");
    const args = JSON.parse(call.function.arguments) as { emergency: unknown; species: unknown };
    expect(typeof args.emergency).toBe("boolean");
    expect(["dog", "cat"]).toContain(args.species);
  });

  it("returns a forced call cut by max_tokens as far as it got, with finish_reason length", async () => {
    const request = (maxTokens: number) =>
      complete({
        max_tokens: maxTokens,
        seed: 2,
        tools: [{ type: "function", function: { name: "find_clinic", parameters: clinicSearch } }],
        tool_choice: mustCallFindClinic,
      });
    const whole = await request(120);
    const used = whole.usage?.completion_tokens ?? 0;
    expect(whole.choices[0]?.finish_reason).toBe("tool_calls");
    const [wholeCall] = whole.choices[0]?.message.tool_calls ?? [];
    if (wholeCall?.type !== "function") throw new Error("no call");
    // Shorter and shorter cuts. The grammar lets the model write whitespace after the call, so a
    // cut there still holds the whole call; the first cut inside the arguments is returned as far
    // as it got, with finish_reason length.
    let partial: string | undefined;
    for (let maxTokens = used - 1; maxTokens > 0 && partial === undefined; maxTokens -= 1) {
      const choice = (await request(maxTokens)).choices[0];
      expect(choice?.message.content).toBeNull();
      const [call] = choice?.message.tool_calls ?? [];
      if (call?.type !== "function") throw new Error(`no partial call at max_tokens ${maxTokens}`);
      expect(call.function.name).toBe("find_clinic");
      if (choice?.finish_reason === "tool_calls") {
        expect(JSON.parse(call.function.arguments)).toEqual(
          JSON.parse(wholeCall.function.arguments),
        );
        continue;
      }
      expect(choice?.finish_reason).toBe("length");
      if (!isJson(call.function.arguments)) partial = call.function.arguments;
    }
    expect(partial?.startsWith("{")).toBe(true);
  });

  it("hands tools to the engine with tool_choice auto, documented in the prompt", async () => {
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "find_clinic",
          description: "Find an open veterinary clinic near the user",
          parameters: {
            type: "object",
            properties: { emergency: { type: "boolean" } },
            required: ["emergency"],
          },
        },
      },
    ];
    const plain = await complete({ max_tokens: 8, seed: 6 });
    const withTools = await complete({ max_tokens: 8, seed: 6, tools, tool_choice: "auto" });
    // node-llama-cpp's chat wrapper documents the functions in the prompt.
    expect(withTools.usage?.prompt_tokens).toBeGreaterThan((plain.usage?.prompt_tokens ?? 0) + 20);
    const choice = withTools.choices[0];
    // The random model may answer in text or call the tool; either way the shape is OpenAI's.
    if (choice?.finish_reason === "tool_calls") {
      const [call] = choice.message.tool_calls ?? [];
      expect(call?.type === "function" && call.function.name).toBe("find_clinic");
    } else {
      expect(["stop", "length"]).toContain(choice?.finish_reason);
      expect(choice?.message.tool_calls).toBeUndefined();
    }
  });

  it("continues a conversation that carries a tool call and its result", async () => {
    const completion = await complete({
      max_tokens: 8,
      seed: 4,
      messages: [
        ...messages,
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "find_clinic", arguments: '{"emergency":true}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"clinic":"Seoul 24h"}' },
      ],
      tools: [{ type: "function", function: { name: "find_clinic" } }],
    });
    expect(completion.choices[0]?.message.role).toBe("assistant");
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(10);
  });
});
