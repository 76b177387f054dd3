import { beforeEach, expect, it } from "vitest";
import type { TSessionId } from "@dogi/contracts";
import { encodeCursor } from "@dogi/trpc";
import type { SessionCaller } from "../testing/caller.ts";
import { failureOf, newUserId, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

const owner = newUserId();
const intruder = newUserId();

// Every procedure that takes a session id, called by a user who does not own the session.
const intrusions: Array<[string, (api: SessionCaller, sessionId: TSessionId) => Promise<unknown>]> =
  [
    ["sessions.get", (api, sessionId) => api.sessions.get({ userId: intruder, sessionId })],
    [
      "sessions.rename",
      (api, sessionId) => api.sessions.rename({ userId: intruder, sessionId, title: "mine now" }),
    ],
    [
      "sessions.suggestTitle",
      (api, sessionId) =>
        api.sessions.suggestTitle({ userId: intruder, sessionId, title: "mine now" }),
    ],
    ["sessions.delete", (api, sessionId) => api.sessions.delete({ userId: intruder, sessionId })],
    ["turns.list", (api, sessionId) => api.turns.list({ userId: intruder, sessionId })],
    [
      "turns.listForPrompt",
      (api, sessionId) => api.turns.listForPrompt({ userId: intruder, sessionId }),
    ],
    [
      "turns.append",
      (api, sessionId) => api.turns.append({ userId: intruder, sessionId, question: "hi" }),
    ],
    [
      "turns.append (a client id the owner used)",
      (api, sessionId) =>
        api.turns.append({
          userId: intruder,
          sessionId,
          question: "hi",
          clientMessageId: "owner-msg",
        }),
    ],
    [
      "turns.complete",
      (api, sessionId) =>
        api.turns.complete({ userId: intruder, sessionId, messageIndex: 1, answer: "x" }),
    ],
    [
      "turns.fail",
      (api, sessionId) =>
        api.turns.fail({
          userId: intruder,
          sessionId,
          messageIndex: 1,
          error: { code: "X", message: "x" },
        }),
    ],
    [
      "turns.regenerate",
      (api, sessionId) => api.turns.regenerate({ userId: intruder, sessionId, messageIndex: 1 }),
    ],
    [
      "sessions.export (json)",
      (api, sessionId) => api.sessions.export({ userId: intruder, sessionId, format: "json" }),
    ],
    [
      "sessions.export (markdown)",
      (api, sessionId) => api.sessions.export({ userId: intruder, sessionId, format: "markdown" }),
    ],
    [
      "sessions.exportPage (first page)",
      (api, sessionId) => api.sessions.exportPage({ userId: intruder, sessionId, format: "json" }),
    ],
    [
      "sessions.exportPage (a later page)",
      (api, sessionId) =>
        api.sessions.exportPage({
          userId: intruder,
          sessionId,
          format: "markdown",
          cursor: encodeCursor({
            exportedAt: "2026-01-01T00:00:00.000Z",
            afterIndex: -1,
            untilIndex: 10,
            written: 0,
          }),
        }),
    ],
  ];

describeEachStore("user scoping", (kind) => {
  const opened = openStoreEachTest(kind);
  let api: SessionCaller;
  let sessionId: TSessionId;

  // The owner's session in every state a procedure could touch: a finished turn and a pending one.
  beforeEach(async () => {
    api = sessionCaller(opened.store);
    ({ sessionId } = await api.sessions.create({ userId: owner, title: "secret title" }));
    await api.turns.append({
      userId: owner,
      sessionId,
      question: "secret question",
      clientMessageId: "owner-msg",
    });
    await api.turns.complete({
      userId: owner,
      sessionId,
      messageIndex: 0,
      answer: "secret answer",
    });
    await api.turns.append({ userId: owner, sessionId, question: "pending question" });
  });

  const snapshot = async () => ({
    session: await api.sessions.get({ userId: owner, sessionId }),
    turns: await api.turns.list({ userId: owner, sessionId }),
  });

  for (const [name, intrude] of intrusions) {
    it(`${name} on another user's session gives NOT_FOUND, reveals nothing and changes nothing`, async () => {
      const before = await snapshot();
      const failure = await failureOf(intrude(api, sessionId));
      expect(failure.appCode).toBe("NOT_FOUND");
      expect(failure.message).not.toMatch(/secret|pending question/);
      expect(await snapshot()).toEqual(before);
    });
  }

  it("sessions.list and sessions.deleteAllForUser of another user neither show nor touch the session", async () => {
    const before = await snapshot();
    expect((await api.sessions.list({ userId: intruder })).items).toEqual([]);
    expect((await api.sessions.list({ userId: intruder, search: "secret" })).items).toEqual([]);
    expect(await api.sessions.deleteAllForUser({ userId: intruder })).toEqual({
      deletedSessions: 0,
    });
    expect(await snapshot()).toEqual(before);
  });

  it("the intruder's own session with the same client message id stays separate", async () => {
    const mine = await api.sessions.create({ userId: intruder });
    const appended = await api.turns.append({
      userId: intruder,
      sessionId: mine.sessionId,
      question: "my own",
      clientMessageId: "owner-msg",
    });
    expect(appended).toMatchObject({
      created: true,
      turn: { question: "my own", messageIndex: 0 },
    });
    expect(await opened.store.findTurn(intruder, sessionId, 0)).toBeNull();
  });
});
