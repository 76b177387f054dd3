import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModel } from "@dogi/testing";
import { Api, readEvents } from "../testing/api.ts";
import { startStack } from "../testing/stack.ts";
import type { TestStack } from "../testing/stack.ts";

// The model's second opinion on triage (TRIAGE_MODEL=auto) on a generated random-weights model:
// what it decides is noise, so this tests the plumbing only. Every real request goes through
// inference's JSON-schema grammar, and whatever the model says, the level never goes down and
// the turn completes.
let stack: TestStack;
const BUDGET_MS = 20_000;

beforeAll(async () => {
  const model = await ensureTinyModel();
  stack = await startStack({
    MODEL_PATH: model,
    JWT_SECRET: randomBytes(48).toString("base64"),
    INFERENCE_CONTEXT_SIZE: "2048",
    CHAT_MAX_TOKENS: "16",
    TRIAGE_MODEL: "auto",
    // Generous: the opinion of the tiny model always arrives, so its effect is seen every time.
    TRIAGE_MODEL_BUDGET_MS: String(BUDGET_MS),
  });
});

afterAll(async () => {
  await stack?.stop();
});

const RANK: Record<string, number> = { urgent: 1, emergency: 2 };

describe("the model's second opinion on triage (generated model)", () => {
  it.each([
    ["My dog ate a whole bar of dark chocolate", "emergency"],
    ["My dog has vomited five times since this morning", "urgent"],
    ["How often should I brush my dog's teeth?", null],
  ])("may raise %j above the rules' level (%s), never lower it", async (question, rulesLevel) => {
    const api = new Api(stack.url);
    await api.register();
    const created = await api.call("POST", "/v1/llm/sessions", {});
    const sessionId = created.json.session_id as string;
    const response = await fetch(`${stack.url}/v1/llm/sessions/${sessionId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${api.token ?? ""}` },
      body: JSON.stringify({ question }),
    });
    const events = await readEvents(response);
    expect(events.at(-1)?.event).toBe("done");
    const triages = events.filter((e) => e.event === "triage").map((e) => e.data);
    if (rulesLevel) expect(triages[0]).toMatchObject({ level: rulesLevel, source: "rules" });
    else expect(triages.every((t) => t.source === "model")).toBe(true);
    // Each later event comes from the model and is strictly higher than the one before.
    for (let i = 1; i < triages.length; i++) {
      expect(triages[i].source).toBe("model");
      expect(RANK[triages[i].level]).toBeGreaterThan(RANK[triages[i - 1].level] ?? 0);
    }
    expect(triages.length).toBeLessThanOrEqual(2);
    // What is stored is the last word, and the answer opens with its message.
    const turns = await api.call("GET", `/v1/llm/sessions/${sessionId}/messages`);
    const stored = turns.json.items[0].triage;
    if (triages.length === 0) expect(stored ?? null).toBeNull();
    else {
      expect(stored).toMatchObject({ level: triages.at(-1).level, source: triages.at(-1).source });
      expect(turns.json.items[0].answer.startsWith(triages.at(-1).message)).toBe(true);
    }
  });
});
