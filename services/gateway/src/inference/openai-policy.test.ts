import { describe, expect, it } from "vitest";
import { admitOpenAiBody, grantsOf, isFailure } from "./openai-policy.ts";
import type { AdmittedBody, OpenAiGrants } from "./openai-policy.ts";

const policy = { maxTokens: 512, maxPromptChars: 1_000 };
const nothingMore: OpenAiGrants = { engineExtensions: false };
const admit = (body: unknown, route = "/v1/chat/completions", grants = nothingMore) =>
  admitOpenAiBody(route, Buffer.from(JSON.stringify(body)), policy, grants);
const chat = (extra: object = {}) => ({
  model: "default",
  messages: [{ role: "user", content: "x".repeat(300) }],
  ...extra,
});
const forwarded = (admitted: ReturnType<typeof admit>) =>
  JSON.parse((admitted as AdmittedBody).body.toString()) as Record<string, unknown>;

describe("the OpenAI-compatible door's rules", () => {
  it("sets max_tokens to the ceiling when absent and reserves the prompt plus it", () => {
    const admitted = admit(chat());
    expect(isFailure(admitted)).toBe(false);
    expect(forwarded(admitted).max_tokens).toBe(512);
    expect((admitted as AdmittedBody).reservedTokens).toBe(100 + 512);
  });

  it("refuses max_tokens above the ceiling, ignore_eos, a long prompt and a non-object body", () => {
    for (const body of [
      chat({ max_tokens: 513 }),
      chat({ max_completion_tokens: 10_000 }),
      chat({ ignore_eos: true }),
      chat({ messages: [{ role: "user", content: "y".repeat(1_001) }] }),
      [1, 2],
    ]) {
      const refused = admit(body);
      expect(isFailure(refused) && refused.code).toBe("BAD_REQUEST");
    }
    const text = admitOpenAiBody("/v1/completions", Buffer.from("{not json"), policy, nothingMore);
    expect(isFailure(text) && text.message).toMatch(/not valid JSON/);
  });

  it("counts the text of message parts, tool call arguments and completion prompts", () => {
    const parts = admit(
      chat({
        messages: [
          { role: "user", content: [{ type: "text", text: "z".repeat(600) }] },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ function: { name: "f", arguments: "w".repeat(600) } }],
          },
        ],
      }),
    );
    expect(isFailure(parts)).toBe(true);
    const prompt = admit(
      { model: "default", prompt: ["a".repeat(600), "b".repeat(600)] },
      "/v1/completions",
    );
    expect(isFailure(prompt)).toBe(true);
  });

  it("forwards a body that needs no change as the caller sent it, byte for byte", () => {
    const raw = Buffer.from(
      `{ "model":"default","max_tokens":20,"messages":[{"role":"user","content":"hi"}] }`,
    );
    const admitted = admitOpenAiBody("/v1/chat/completions", raw, policy, nothingMore);
    expect((admitted as AdmittedBody).body).toBe(raw);
  });

  it("asks a stream for its usage, and remembers to drop it when the caller did not", () => {
    const plain = admit(chat({ stream: true, max_tokens: 20 }));
    expect(forwarded(plain).stream_options).toEqual({ include_usage: true });
    expect((plain as AdmittedBody).dropUsageChunk).toBe(true);
    const asked = admit(chat({ stream: true, stream_options: { include_usage: true } }));
    expect((asked as AdmittedBody).dropUsageChunk).toBe(false);
  });
});

describe("engine extensions", () => {
  const granted = grantsOf({ kind: "api_key", scopes: ["inference", "engine_extensions"] });

  it("gives them to an API key with the operator-granted scope only, never to a signed-in user", () => {
    expect(granted.engineExtensions).toBe(true);
    expect(grantsOf({ kind: "api_key", scopes: ["inference", "chat"] }).engineExtensions).toBe(
      false,
    );
    // An access token carries no scopes; a forged list on one would change nothing.
    expect(grantsOf({ kind: "user", scopes: ["engine_extensions"] }).engineExtensions).toBe(false);
  });

  it("refuses ignore_eos without the grant, saying it needs an operator-granted API key scope", () => {
    const refused = admit(chat({ ignore_eos: true }));
    expect(isFailure(refused) && refused.message).toMatch(
      /ignore_eos .*needs an API key with the engine_extensions scope, which an operator grants/,
    );
    // Saying false (or null) asks for nothing beyond the API.
    expect(isFailure(admit(chat({ ignore_eos: false })))).toBe(false);
  });

  it("forwards ignore_eos with the grant, still within max_tokens and reserving all of it", () => {
    const admitted = admit(chat({ ignore_eos: true }), "/v1/chat/completions", granted);
    expect(isFailure(admitted)).toBe(false);
    expect(forwarded(admitted)).toMatchObject({ ignore_eos: true, max_tokens: 512 });
    expect((admitted as AdmittedBody).reservedTokens).toBe(100 + 512);
    const tooMany = admit(
      chat({ ignore_eos: true, max_tokens: 513 }),
      "/v1/chat/completions",
      granted,
    );
    expect(isFailure(tooMany) && tooMany.message).toMatch(/at most 512/);
    const notBoolean = admit(chat({ ignore_eos: "yes" }), "/v1/completions", granted);
    expect(isFailure(notBoolean) && notBoolean.message).toBe("ignore_eos must be true or false.");
  });
});

describe("prompt_cache_key", () => {
  it("keeps a string key for the pool's replica affinity and forwards the body unchanged", () => {
    const admitted = admit(chat({ prompt_cache_key: "session:1", max_tokens: 5 }));
    expect(admitted).toMatchObject({ cacheKey: "session:1" });
    expect(forwarded(admitted).prompt_cache_key).toBe("session:1");
    expect(admit(chat({ prompt_cache_key: null, max_tokens: 5 }))).not.toHaveProperty("cacheKey");
  });

  it("refuses a key that is not a string or longer than 256 characters", () => {
    for (const key of [1, true, ["a"], "k".repeat(257)]) {
      const refused = admit(chat({ prompt_cache_key: key }));
      expect(isFailure(refused) && refused.message).toBe(
        "prompt_cache_key must be a string of at most 256 characters.",
      );
    }
    expect(isFailure(admit(chat({ prompt_cache_key: "k".repeat(256) })))).toBe(false);
  });
});
