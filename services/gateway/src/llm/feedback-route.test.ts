import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TSessionId, TUserId } from "@dogi/contracts";
import type { SessionTestService } from "@dogi/session/testing";
import { Api } from "../testing/api.ts";
import { sessionClient, startSessionStack } from "../testing/session-stack.ts";
import type { SessionStack } from "../testing/session-stack.ts";
import type { FakeAuth } from "../testing/fake-auth.ts";

// POST /v1/llm/sessions/:id/messages/:index/feedback and /trpc sessions.setFeedback through the
// gateway, in front of a real session service (SQLite). Turns are stored through the session
// service's own procedures, as a chat turn does.
let stack: SessionStack | undefined;
let auth: FakeAuth;
let session: SessionTestService;
let gateway: SessionStack["gateway"];

beforeAll(async () => {
  stack = await startSessionStack();
  ({ auth, session, gateway } = stack);
}, 60_000);

afterAll(async () => stack?.close());

const sessions = () => sessionClient(session.url);

/** A new owner with a session holding an answered turn (0) and a pending one (1). */
async function seeded() {
  const token = auth.accessToken();
  const userId = auth.userOf(token) as TUserId;
  const api = new Api(gateway.url, token);
  const created = await api.call("POST", "/v1/llm/sessions", {});
  expect(created.status).toBe(201);
  const sessionId = created.json.session_id as TSessionId;
  const client = sessions();
  await client.turns.append.mutate({ userId, sessionId, question: "Is chocolate bad for dogs?" });
  await client.turns.complete.mutate({
    userId,
    sessionId,
    messageIndex: 0,
    answer: "Yes; call your vet.",
  });
  await client.turns.append.mutate({ userId, sessionId, question: "And grapes?" });
  const feedback = (index: number, body: unknown, as: Api = api) =>
    as.call("POST", `/v1/llm/sessions/${sessionId}/messages/${index}/feedback`, body);
  const listed = async () =>
    (await api.call("GET", `/v1/llm/sessions/${sessionId}/messages`)).json.items as Array<
      Record<string, unknown>
    >;
  return { api, userId, sessionId, feedback, listed };
}

describe("POST /v1/llm/sessions/:id/messages/:index/feedback", () => {
  it("rates an answer, shows it in the listing after a reload, and clears it with null", async () => {
    const { feedback, listed } = await seeded();
    const rated = await feedback(0, { rating: "down", comment: "It did not say how much." });
    expect(rated.status).toBe(200);
    expect(rated.json).toMatchObject({
      message_index: 0,
      answer: "Yes; call your vet.",
      feedback: { rating: "down", comment: "It did not say how much.", at: expect.any(String) },
    });
    expect(rated.json).not.toHaveProperty("first_token_ms");
    // A fresh read of the turns (what a reload shows) carries it.
    expect((await listed())[0]?.feedback).toEqual(rated.json.feedback);

    const changed = await feedback(0, { rating: "up" });
    expect(changed.json.feedback).toMatchObject({ rating: "up", comment: null });
    const cleared = await feedback(0, { rating: null });
    expect(cleared.status).toBe(200);
    expect(cleared.json.feedback).toBeNull();
    expect((await listed())[0]?.feedback).toBeNull();
  });

  it("answers 404 to another user, and leaves the owner's turn unrated", async () => {
    const { feedback, listed } = await seeded();
    const stranger = new Api(gateway.url, auth.accessToken());
    const refused = await feedback(0, { rating: "up" }, stranger);
    expect(refused.status).toBe(404);
    expect(JSON.stringify(refused.json)).not.toContain("Yes; call");
    expect((await listed())[0]?.feedback).toBeNull();
  });

  it("answers 404 for a malformed session id or message index", async () => {
    const { api, sessionId } = await seeded();
    const badSession = await api.call("POST", "/v1/llm/sessions/x/messages/0/feedback", {
      rating: "up",
    });
    expect(badSession.status).toBe(404);
    const badIndex = await api.call("POST", `/v1/llm/sessions/${sessionId}/messages/-1/feedback`, {
      rating: "up",
    });
    expect(badIndex.status).toBe(404);
  });

  it("refuses a bad rating or a missing one with 400 naming the field", async () => {
    const { feedback } = await seeded();
    const bad = await feedback(0, { rating: "meh" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/rating/);
    const missing = await feedback(0, { comment: "no rating" });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/rating/);
    const extra = await feedback(0, { rating: "up", user_id: "someone" });
    expect(extra.status).toBe(400);
  });

  it("refuses a comment over 2000 characters with 400", async () => {
    const { feedback, listed } = await seeded();
    const long = await feedback(0, { rating: "up", comment: "x".repeat(2_001) });
    expect(long.status).toBe(400);
    expect(long.json.error.message).toMatch(/comment/);
    expect((await listed())[0]?.feedback).toBeNull();
  });

  it("answers 409 for a turn still being answered", async () => {
    const { feedback } = await seeded();
    const pending = await feedback(1, { rating: "up" });
    expect(pending.status).toBe(409);
    expect(pending.json.error.message).toMatch(/wait for the answer to finish/);
  });
});

describe("/trpc sessions.setFeedback", () => {
  it("rates the caller's own answer and answers NOT_FOUND for someone else's", async () => {
    const { api, sessionId, listed } = await seeded();
    const rated = await api.call("POST", "/trpc/sessions.setFeedback", {
      sessionId,
      messageIndex: 0,
      rating: "up",
      comment: "clear",
    });
    expect(rated.status).toBe(200);
    expect(rated.json.result.data).toMatchObject({
      messageIndex: 0,
      feedback: { rating: "up", comment: "clear" },
    });
    expect((await listed())[0]?.feedback).toMatchObject({ rating: "up" });

    const stranger = new Api(gateway.url, auth.accessToken());
    const refused = await stranger.call("POST", "/trpc/sessions.setFeedback", {
      sessionId,
      messageIndex: 0,
      rating: "down",
    });
    expect(refused.status).toBe(404);
    expect((await listed())[0]?.feedback).toMatchObject({ rating: "up" });
  });
});
