import { describe, expect, it } from "vitest";
import { toolCallsOf } from "../engine/chat.ts";
import { finishReasonOf } from "../engine/generation.ts";
import type { GenerationOutcome } from "../engine/generation.ts";
import { chatFormat } from "./chat-completions.ts";

// The random-weight test model never decides to call a function by itself, so the path from
// node-llama-cpp's parsed function calls to OpenAI's tool_calls is checked here piece by piece;
// the HTTP tests check that tools reach the engine (chat-completions.happy.test.ts).

const outcome = (toolCalls: GenerationOutcome["toolCalls"]): GenerationOutcome => ({
  text: "",
  finishReason: finishReasonOf("functionCalls", false),
  toolCalls,
  promptTokens: 10,
  cachedTokens: 0,
  completionTokens: 7,
  timings: {
    prompt_n: 10,
    prompt_ms: 1,
    prompt_per_second: 10_000,
    predicted_n: 7,
    predicted_ms: 2,
    predicted_per_second: 3_000,
  },
  aborted: false,
});

describe("function calls from node-llama-cpp as OpenAI tool calls", () => {
  it("gives each call an id and its parameters as a JSON string", () => {
    const calls = toolCallsOf([
      { functionName: "find_clinic", params: { emergency: true, species: "dog" } },
      { functionName: "now" },
    ]);
    expect(calls).toHaveLength(2);
    const [first, second] = calls;
    expect(first?.id).toMatch(/^call_[\w-]{16}$/);
    expect(second?.id).not.toBe(first?.id);
    expect(first?.type).toBe("function");
    expect(first?.function.name).toBe("find_clinic");
    expect(JSON.parse(first?.function.arguments ?? "")).toEqual({
      emergency: true,
      species: "dog",
    });
    // A call without parameters still carries valid JSON arguments.
    expect(second?.function.arguments).toBe("{}");
    expect(toolCallsOf(undefined)).toEqual([]);
  });

  it("ends with finish_reason tool_calls", () => {
    expect(finishReasonOf("functionCalls", false)).toBe("tool_calls");
    expect(finishReasonOf("eogToken", false)).toBe("stop");
    expect(finishReasonOf("maxTokens", false)).toBe("length");
  });

  it("answers with null content and the calls, streamed as one indexed tool_calls delta", () => {
    const calls = toolCallsOf([{ functionName: "find_clinic", params: { emergency: true } }]);
    const format = chatFormat("tiny");
    const usage = { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 };
    const body = format.body(outcome(calls), usage) as {
      choices: Array<{
        message: { content: unknown; tool_calls?: unknown };
        finish_reason: string;
      }>;
    };
    expect(body.choices[0]?.message.content).toBeNull();
    expect(body.choices[0]?.message.tool_calls).toEqual(calls);
    expect(body.choices[0]?.finish_reason).toBe("tool_calls");
    const chunks = format.finishChunks(outcome(calls)) as Array<{
      choices: Array<{
        delta: { tool_calls?: Array<{ index: number; id: string }> };
        finish_reason: unknown;
      }>;
    }>;
    expect(chunks).toHaveLength(2);
    expect(chunks[0]?.choices[0]?.delta.tool_calls).toEqual([{ index: 0, ...calls[0] }]);
    expect(chunks[1]?.choices[0]?.finish_reason).toBe("tool_calls");
  });
});
