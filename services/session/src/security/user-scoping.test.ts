import { afterEach, beforeEach, expect, it } from "vitest";
import type { TSessionId } from "@dogi/contracts";
import { encodeCursor } from "@dogi/trpc";
import type { SessionStore } from "../store/interface.ts";
import type { SessionCaller } from "../testing/caller.ts";
import { failureOf, newUserId, sessionCaller } from "../testing/caller.ts";
import { describeEachStore } from "../testing/each-store.ts";

const owner = newUserId();
const intruder = newUserId();

// Every procedure that takes a session id, called by a user who does not own the session.
const intrusions: Array<[string, (api: SessionCaller, sessionId: TSessionId) => Promise<unknown>]> =
  [
    ["getSession", (api, sessionId) => api.getSession({ userId: intruder, sessionId })],
    [
      "renameSession",
      (api, sessionId) => api.renameSession({ userId: intruder, sessionId, title: "mine now" }),
    ],
    [
      "suggestTitle",
      (api, sessionId) => api.suggestTitle({ userId: intruder, sessionId, title: "mine now" }),
    ],
    ["deleteSession", (api, sessionId) => api.deleteSession({ userId: intruder, sessionId })],
    ["listTurns", (api, sessionId) => api.listTurns({ userId: intruder, sessionId })],
    [
      "listTurnsForPrompt",
      (api, sessionId) => api.listTurnsForPrompt({ userId: intruder, sessionId }),
    ],
    [
      "appendTurn",
      (api, sessionId) => api.appendTurn({ userId: intruder, sessionId, question: "hi" }),
    ],
    [
      "appendTurn (a client id the owner used)",
      (api, sessionId) =>
        api.appendTurn({
          userId: intruder,
          sessionId,
          question: "hi",
          clientMessageId: "owner-msg",
        }),
    ],
    [
      "completeTurn",
      (api, sessionId) =>
        api.completeTurn({ userId: intruder, sessionId, messageIndex: 1, answer: "x" }),
    ],
    [
      "failTurn",
      (api, sessionId) =>
        api.failTurn({
          userId: intruder,
          sessionId,
          messageIndex: 1,
          error: { code: "X", message: "x" },
        }),
    ],
    [
      "regenerateTurn",
      (api, sessionId) => api.regenerateTurn({ userId: intruder, sessionId, messageIndex: 1 }),
    ],
    [
      "exportSession (json)",
      (api, sessionId) => api.exportSession({ userId: intruder, sessionId, format: "json" }),
    ],
    [
      "exportSession (markdown)",
      (api, sessionId) => api.exportSession({ userId: intruder, sessionId, format: "markdown" }),
    ],
    [
      "exportSessionPage (first page)",
      (api, sessionId) => api.exportSessionPage({ userId: intruder, sessionId, format: "json" }),
    ],
    [
      "exportSessionPage (a later page)",
      (api, sessionId) =>
        api.exportSessionPage({
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
  let store: SessionStore;
  let dispose: () => Promise<void>;
  let api: SessionCaller;
  let sessionId: TSessionId;

  // The owner's session in every state a procedure could touch: a finished turn and a pending one.
  beforeEach(async () => {
    ({ store, dispose } = await kind.open());
    api = sessionCaller(store);
    ({ sessionId } = await api.createSession({ userId: owner, title: "secret title" }));
    await api.appendTurn({
      userId: owner,
      sessionId,
      question: "secret question",
      clientMessageId: "owner-msg",
    });
    await api.completeTurn({
      userId: owner,
      sessionId,
      messageIndex: 0,
      answer: "secret answer",
    });
    await api.appendTurn({ userId: owner, sessionId, question: "pending question" });
  });
  afterEach(async () => dispose());

  const snapshot = async () => ({
    session: await api.getSession({ userId: owner, sessionId }),
    turns: await api.listTurns({ userId: owner, sessionId }),
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

  it("listSessions and deleteAllForUser of another user neither show nor touch the session", async () => {
    const before = await snapshot();
    expect((await api.listSessions({ userId: intruder })).items).toEqual([]);
    expect((await api.listSessions({ userId: intruder, search: "secret" })).items).toEqual([]);
    expect(await api.deleteAllForUser({ userId: intruder })).toEqual({ deletedSessions: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it("the intruder's own session with the same client message id stays separate", async () => {
    const mine = await api.createSession({ userId: intruder });
    const appended = await api.appendTurn({
      userId: intruder,
      sessionId: mine.sessionId,
      question: "my own",
      clientMessageId: "owner-msg",
    });
    expect(appended).toMatchObject({
      created: true,
      turn: { question: "my own", messageIndex: 0 },
    });
    expect(await store.findTurn(intruder, sessionId, 0)).toBeNull();
  });
});
