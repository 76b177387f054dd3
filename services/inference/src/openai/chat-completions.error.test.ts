import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { tinyModelInference } from "../testing/suite.ts";

const messages = [{ role: "user", content: "hello" }];

const inference = tinyModelInference({
  INFERENCE_CONTEXT_SIZE: 256,
});

async function post(body: unknown) {
  const response = await fetch(`${inference.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      error?: { message: string; type: string; param: string | null; code: string | null };
      choices?: unknown[];
    },
  };
}

describe("chat completion errors in OpenAI's shape", () => {
  it.each([
    ["max_tokens", { max_tokens: 1e9 }],
    ["max_tokens", { max_tokens: -1 }],
    ["max_tokens", { max_tokens: 1.5 }],
    ["temperature", { temperature: 99 }],
    ["temperature", { temperature: -0.1 }],
    ["top_p", { top_p: 1.5 }],
    ["min_p", { min_p: -1 }],
    ["presence_penalty", { presence_penalty: 3 }],
    ["seed", { seed: "abc" }],
    ["stop.0", { stop: ["", "x"] }],
    ["messages", { messages: [] }],
    ["messages.0.role", { messages: [{ role: "wizard", content: "x" }] }],
  ])("refuses a bad %s with a 400 naming it", async (param, patch) => {
    const { status, body } = await post({ model: "default", messages, ...patch });
    expect(status).toBe(400);
    expect(body.error?.type).toBe("invalid_request_error");
    expect(body.error?.param).toBe(param);
    expect(body.error?.message).toContain(param.split(".")[0]);
  });

  it.each([
    ["n", { n: 2 }],
    ["logprobs", { logprobs: true }],
    ["top_logprobs", { top_logprobs: 2 }],
  ])("says %s is not supported with a 400", async (param, patch) => {
    const { status, body } = await post({ model: "default", messages, ...patch });
    expect(status).toBe(400);
    expect(body.error?.param).toBe(param);
    expect(body.error?.message).toContain("not supported");
  });

  it.each(["n_probs", "slot_id", "grammar", "api_base", "base_url"])(
    "refuses the engine or proxy field %s instead of passing it through",
    async (field) => {
      const { status, body } = await post({ model: "default", messages, [field]: "x" });
      expect(status).toBe(400);
      expect(body.error?.param).toBe(field);
    },
  );

  it("drops unknown fields and still answers", async () => {
    const { status, body } = await post({
      model: "default",
      messages,
      max_tokens: 2,
      some_future_field: { nested: true },
    });
    expect(status).toBe(200);
    expect(body.choices).toHaveLength(1);
  });

  it("answers a body that is not JSON with a 400", async () => {
    const { status, body } = await post("{not json");
    expect(status).toBe(400);
    expect(body.error?.type).toBe("invalid_request_error");
  });

  it("answers an unknown model with a 404 that lists the models", async () => {
    const error = await inference.client.chat.completions
      .create({ model: "gpt-17", messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const apiError = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(apiError.code).toBe("model_not_found");
    expect(apiError.message).toContain("gpt-17");
  });

  it("refuses a prompt longer than the context ten times, then serves a normal request", async () => {
    const long = "강아지 고양이 ".repeat(400);
    for (let attempt = 0; attempt < 10; attempt++) {
      const { status, body } = await post({
        model: "default",
        messages: [{ role: "user", content: long }],
      });
      expect(status).toBe(400);
      expect(body.error?.code).toBe("context_length_exceeded");
      expect(body.error?.message).toContain("256");
    }
    const ok = await inference.client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 3,
    });
    expect(ok.choices[0]?.message.role).toBe("assistant");
    expect(inference.service.engine.status().scheduler.busySequences).toBe(0);
  });

  it("says that only text content is supported when a message carries an image", async () => {
    const { status, body } = await post({
      model: "default",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this?" },
            { type: "image_url", image_url: { url: "http://example.com/dog.png" } },
          ],
        },
      ],
    });
    expect(status).toBe(400);
    expect(body.error?.param).toBe("messages.0.content");
    expect(body.error?.message).toContain("images, audio and files are not supported");
  });

  it("refuses a JSON schema with a type JSON Schema does not have, saying where", async () => {
    const { status, body } = await post({
      model: "default",
      messages,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "pet",
          schema: {
            type: "object",
            // A property named "type" is a name, not the keyword.
            properties: { type: { type: "string" }, age: { type: "interger" } },
          },
        },
      },
    });
    expect(status).toBe(400);
    expect(body.error?.param).toBe("response_format.json_schema.schema");
    expect(body.error?.message).toContain('unknown JSON schema type "interger" at properties.age');
    const tool = await post({
      model: "default",
      messages,
      tools: [
        { type: "function", function: { name: "a", parameters: { type: "object" } } },
        {
          type: "function",
          function: { name: "b", parameters: { anyOf: [{ type: "string" }, { type: "bogus" }] } },
        },
      ],
    });
    expect(tool.status).toBe(400);
    expect(tool.body.error?.param).toBe("tools.1.function.parameters");
    expect(tool.body.error?.message).toContain('"bogus" at anyOf.1');
  });

  it("refuses tool_choice naming a tool that is not in the list", async () => {
    const { status, body } = await post({
      model: "default",
      messages,
      tools: [{ type: "function", function: { name: "a" } }],
      tool_choice: { type: "function", function: { name: "b" } },
    });
    expect(status).toBe(400);
    expect(body.error?.param).toBe("tool_choice");
  });

  it("refuses a tool message that answers no tool call", async () => {
    const { status, body } = await post({
      model: "default",
      messages: [...messages, { role: "tool", tool_call_id: "call_x", content: "{}" }],
    });
    expect(status).toBe(400);
    expect(body.error?.param).toBe("messages[1].tool_call_id");
  });
});
