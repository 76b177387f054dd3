import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TSessionId, TUserId } from "@dogi/contracts";
import type { SessionTestService } from "@dogi/session/testing";
import { startSessionStack } from "../testing/session-stack.ts";
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
