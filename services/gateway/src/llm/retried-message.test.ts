import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZChatTurnResponse, ZRestTurnPage } from "@dogi/contracts";
import type { TSessionId, TUserId } from "@dogi/contracts";
import type { SessionTestService } from "@dogi/session/testing";
import { readEvents } from "../testing/api.ts";
import { sessionClient, startSessionStack } from "../testing/session-stack.ts";
import type { SessionStack } from "../testing/session-stack.ts";
import type { FakeAuth } from "../testing/fake-auth.ts";

// POST /v1/llm/sessions/:id/messages retried with the same client_message_id, in front of a
// real session service (SQLite, SESSION_STALE_TURN_MS of 420 s): a turn whose gateway died
// mid-answer is seeded straight into the store, pending since long ago.
let stack: SessionStack | undefined;
let auth: FakeAuth;
let session: SessionTestService;
let gateway: SessionStack["gateway"];
let token: string;
let userId: TUserId;

beforeAll(async () => {
  stack = await startSessionStack();
  ({ auth, session, gateway } = stack);
  token = auth.accessToken();
  userId = auth.userOf(token) as TUserId;
}, 60_000);

afterAll(async () => stack?.close());

/** A session holding one pending turn with this client message id, asked `ageMs` ago. */
async function seedPending(clientMessageId: string, ageMs: number): Promise<TSessionId> {
  const sessionId = randomUUID() as TSessionId;
  const at = new Date(Date.now() - ageMs).toISOString();
  await session.store.insertSession(
    {
      sessionId,
      userId,
      petId: null,
      title: "a chat",
      titleSource: "user",
      createdAt: at,
      updatedAt: at,
      turnCount: 0,
    },
    { maxPerUser: 100 },
  );
  await session.store.appendTurn({
    userId,
    sessionId,
    question: "Is chocolate bad for dogs?",
    clientMessageId,
    autoTitle: "",
    now: at,
    maxTurns: 10,
  });
  return sessionId;
}

function retry(sessionId: TSessionId, clientMessageId: string) {
  return fetch(`${gateway.url}/v1/llm/sessions/${sessionId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({
      question: "Is chocolate bad for dogs?",
      client_message_id: clientMessageId,
      stream: false,
    }),
  });
}

describe("a retried message whose first answer never came", () => {
  it("is refused with 409 while the first attempt may still be running", async () => {
    const sessionId = await seedPending("m-fresh", 1_000);
    const response = await retry(sessionId, "m-fresh");
    expect(response.status).toBe(409);
    expect(await response.text()).toMatch(/already being answered/);
  });

  it("starts a new attempt once the first is past SESSION_STALE_TURN_MS", async () => {
    const sessionId = await seedPending("m-stale", 10 * 60_000);
    const response = await retry(sessionId, "m-stale");
    expect(response.status).not.toBe(409);
    await response.text();
    const turn = await session.store.findTurn(userId, sessionId, 0);
    // The abandoned attempt is in the history; the new one ran (no model here, so it failed
    // or answered from passages) and did not stay pending.
    expect(turn?.history).toEqual([
      expect.objectContaining({
        status: "error",
        error: expect.objectContaining({ code: "ABANDONED" }),
      }),
    ]);
    expect(turn?.status).not.toBe("pending");
    expect(
      (await session.store.listTurns({ userId, sessionId, afterIndex: -1, limit: 10 })).length,
    ).toBe(1);
  });
});

describe("a retried message already answered", () => {
  async function seedAnswered(clientMessageId: string): Promise<TSessionId> {
    const sessionId = await seedPending(clientMessageId, 1_000);
    await sessionClient(session.url).turns.complete.mutate({
      userId,
      sessionId,
      messageIndex: 0,
      answer: "Yes: chocolate is toxic to dogs.",
      citations: [{ source: "corpus/chocolate.en.md", title: "Chocolate" }],
      model: "test-model",
      usage: { promptTokens: 12, completionTokens: 7 },
    });
    return sessionId;
  }

  it("gets the stored answer as JSON in a first answer's shape, not a second answer", async () => {
    const sessionId = await seedAnswered("m-json");
    const response = await retry(sessionId, "m-json");
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(ZChatTurnResponse.parse(body)).toMatchObject({
      session_id: sessionId,
      message_index: 0,
      answer: "Yes: chocolate is toxic to dogs.",
      mode: "model",
      triage: null,
      done: { status: "complete", model: "test-model", usage: { completion_tokens: 7 } },
    });
    expect((body.citations as unknown[]).length).toBe(1);
    // The listing matches the schema the OpenAPI document publishes for it.
    const listed = await fetch(`${gateway.url}/v1/llm/sessions/${sessionId}/messages`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = ZRestTurnPage.parse(await listed.json());
    expect(page.items[0]).toMatchObject({
      message_index: 0,
      usage: { prompt_tokens: 12, completion_tokens: 7 },
      citations: [{ n: 1, source: "corpus/chocolate.en.md" }],
    });
  });

  it("gets the stored answer as the events of a first answer when it streams", async () => {
    const sessionId = await seedAnswered("m-sse");
    const response = await fetch(`${gateway.url}/v1/llm/sessions/${sessionId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ question: "Is chocolate bad for dogs?", client_message_id: "m-sse" }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    expect(events.map((e) => e.event)).toEqual(["meta", "delta", "done"]);
    expect(events[1]?.data).toEqual({ text: "Yes: chocolate is toxic to dogs." });
  });
});
