import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InferencePool } from "../inference/pool.ts";
import { startReplicaPool } from "../testing/replica.ts";
import type { TestReplica } from "../testing/replica.ts";
import { completeShort, streamChat } from "./generate.ts";

let replica: TestReplica;
let pool: InferencePool;
beforeAll(async () => {
  ({ replica, pool } = await startReplicaPool("r0"));
});
afterAll(async () => {
  await replica.close();
});

describe("streamChat", () => {
  it("passes text on piece by piece, without the control characters a tiny model can emit", async () => {
    replica.pieces = ["Bori\u0000 ", "eats\u0007 well\n", "\u0000", "\tthen naps"];
    const pieces: string[] = [];
    const result = await streamChat({
      pool,
      caller: { userId: "u_1" },
      messages: [{ role: "user", content: "hi" }],
      maxTokens: 16,
      signal: new AbortController().signal,
      onDelta: (text) => pieces.push(text),
    });
    expect(pieces).toEqual(["Bori ", "eats well\n", "\tthen naps"]);
    expect(result.model).toBe("r0");
    const sent = JSON.parse(replica.received.at(-1)?.body ?? "{}") as Record<string, unknown>;
    expect(sent).toMatchObject({ stream: true, max_tokens: 16 });
    // Inference shares its queue fairly between the users the gateway names.
    expect(replica.received.at(-1)?.headers["x-dogi-caller"]).toBe("u_1");
    expect(replica.received.at(-1)?.headers["x-dogi-priority"]).toBeUndefined();
  });
});

describe("completeShort", () => {
  it("marks background work (a session title) so that it yields to people's questions", async () => {
    await completeShort({
      pool,
      caller: { userId: "u_2", background: true },
      messages: [{ role: "user", content: "title?" }],
      maxTokens: 8,
    });
    const headers = replica.received.at(-1)?.headers;
    expect(headers?.["x-dogi-caller"]).toBe("u_2");
    expect(headers?.["x-dogi-priority"]).toBe("background");
  });
});
