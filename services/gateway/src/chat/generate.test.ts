import { describe, expect, it } from "vitest";
import { replicaPoolForFile } from "../testing/stopped-after-each.ts";
import { doneUsage } from "./cache-key.ts";
import { completeShort, streamChat } from "./generate.ts";

const shared = replicaPoolForFile("r0");

describe("streamChat", () => {
  it("passes text on piece by piece, without the control characters a tiny model can emit", async () => {
    shared.replica.pieces = ["Bori\u0000 ", "eats\u0007 well\n", "\u0000", "\tthen naps"];
    const pieces: string[] = [];
    const result = await streamChat({
      pool: shared.pool,
      caller: { userId: "u_1" },
      messages: [{ role: "user", content: "hi" }],
      maxTokens: 16,
      signal: new AbortController().signal,
      onDelta: (text) => pieces.push(text),
    });
    expect(pieces).toEqual(["Bori ", "eats well\n", "\tthen naps"]);
    expect(result.model).toBe("r0");
    const sent = JSON.parse(shared.replica.received.at(-1)?.body ?? "{}") as Record<
      string,
      unknown
    >;
    expect(sent).toMatchObject({ stream: true, max_tokens: 16 });
    // Inference shares its queue fairly between the users the gateway names.
    expect(shared.replica.received.at(-1)?.headers["x-dogi-caller"]).toBe("u_1");
    expect(shared.replica.received.at(-1)?.headers["x-dogi-priority"]).toBeUndefined();
  });
});

describe("streamChat with a session", () => {
  it("sends the session's cache key and reports the cached tokens inference counted", async () => {
    shared.replica.pieces = ["ok"];
    shared.replica.streamUsage = {
      prompt_tokens: 120,
      completion_tokens: 1,
      total_tokens: 121,
      prompt_tokens_details: { cached_tokens: 96 },
    };
    try {
      const result = await streamChat({
        pool: shared.pool,
        caller: { userId: "u_3" },
        sessionId: "s_1",
        messages: [{ role: "user", content: "hi" }],
        maxTokens: 4,
        signal: new AbortController().signal,
        onDelta: () => undefined,
      });
      const sent = JSON.parse(shared.replica.received.at(-1)?.body ?? "{}") as Record<
        string,
        unknown
      >;
      expect(sent.prompt_cache_key).toBe("session:s_1");
      expect(result.usage).toEqual({ promptTokens: 120, completionTokens: 1, cachedTokens: 96 });
      expect(doneUsage(result.usage)).toEqual({
        prompt_tokens: 120,
        completion_tokens: 1,
        prompt_tokens_details: { cached_tokens: 96 },
      });
    } finally {
      shared.replica.streamUsage = null;
    }
  });

  it("leaves the cached tokens out of the done event when inference did not report them", () => {
    expect(doneUsage({ promptTokens: 3, completionTokens: 2 })).toEqual({
      prompt_tokens: 3,
      completion_tokens: 2,
    });
    expect(doneUsage(null)).toEqual({ prompt_tokens: 0, completion_tokens: 0 });
  });
});

describe("completeShort", () => {
  it("marks background work (a session title) so that it yields to people's questions", async () => {
    await completeShort({
      pool: shared.pool,
      caller: { userId: "u_2", background: true },
      messages: [{ role: "user", content: "title?" }],
      maxTokens: 8,
    });
    const headers = shared.replica.received.at(-1)?.headers;
    expect(headers?.["x-dogi-caller"]).toBe("u_2");
    expect(headers?.["x-dogi-priority"]).toBe("background");
  });
});
