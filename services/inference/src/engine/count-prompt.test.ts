import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModel } from "@dogi/testing";
import { inferenceTrpc, startTestInference } from "../testing/start-service.ts";
import type { TestInference } from "../testing/start-service.ts";

// The count the gateway fits a chat turn's prompt with, against what a generation reports.
let inference: TestInference;
let client: ReturnType<typeof inferenceTrpc>;

beforeAll(async () => {
  inference = await startTestInference({
    MODEL_PATH: await ensureTinyModel(),
    INFERENCE_CONTEXT_SIZE: 512,
  });
  client = inferenceTrpc(inference.url, 30_000);
});

afterAll(async () => {
  await inference?.close();
});

const messages = [
  { role: "system" as const, content: "You are Dogi. Answer in Korean." },
  { role: "user" as const, content: "<question>\n강아지가 초콜릿을 먹었어요\n</question>" },
  { role: "assistant" as const, content: "바로 동물병원에 연락하세요." },
  { role: "user" as const, content: "<question>\nHow much is too much?\n</question>" },
];

describe("countPrompt", () => {
  it("counts a chat prompt exactly as a generation of it reports its prompt tokens", async () => {
    const count = await client.countPrompt.mutate({ messages });
    const completion = await inference.client.chat.completions.create({
      model: "default",
      messages,
      max_tokens: 1,
    });
    expect(count).toEqual({
      model: expect.any(String),
      contextSize: 512,
      promptTokens: completion.usage?.prompt_tokens,
    });
  });

  it("counts a longer prompt as longer, and refuses one that is not a list of messages", async () => {
    const short = await client.countPrompt.mutate({ messages: messages.slice(0, 2) });
    const long = await client.countPrompt.mutate({ messages });
    expect(long?.promptTokens).toBeGreaterThan(short?.promptTokens ?? Infinity);
    await expect(client.countPrompt.mutate({ messages: [] })).rejects.toThrow(/messages/);
  });
});
