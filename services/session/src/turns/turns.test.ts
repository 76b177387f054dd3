import { beforeEach, expect, it } from "vitest";
import type { TSessionId } from "@dogi/contracts";
import type { SessionCaller } from "../testing/caller.ts";
import { callerWithSession, failureOf, newUserId } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

const citation = { source: "kb/toxins.md", title: "Chocolate toxicity", section: "Dogs" };

describeEachStore("turns", (kind) => {
  const opened = openStoreEachTest(kind);
  const userId = newUserId();
  let api: SessionCaller;
  let sessionId: TSessionId;

  beforeEach(async () => {
    ({ api, sessionId } = await callerWithSession(opened.store, userId));
  });

  it("stores the question as pending before any answer, then completes it", async () => {
    const { turn, created } = await api.turns.append({
      userId,
      sessionId,
      question: "  콩이가 토해요  ",
    });
    expect(created).toBe(true);
    expect(turn).toMatchObject({ messageIndex: 0, question: "콩이가 토해요", status: "pending" });
    expect(turn.answer).toBeNull();
    // The question is durable before generation starts: another reader sees it.
    expect((await api.turns.list({ userId, sessionId })).items).toEqual([turn]);

    const done = await api.turns.complete({
      userId,
      sessionId,
      messageIndex: 0,
      answer: "수의사에게 연락하세요.",
      citations: [citation],
      model: "tiny",
      usage: { promptTokens: 12, completionTokens: 7 },
    });
    expect(done).toMatchObject({
      status: "complete",
      answer: "수의사에게 연락하세요.",
      citations: [citation],
      model: "tiny",
      usage: { promptTokens: 12, completionTokens: 7 },
      error: null,
    });
    expect(done.completedAt).not.toBeNull();
    expect((await api.turns.list({ userId, sessionId })).items).toEqual([done]);
    expect((await api.sessions.get({ userId, sessionId })).turnCount).toBe(1);
  });

  it("gives 20 concurrent appends the indexes 0 to 19, no gap, no duplicate", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.turns.append({ userId, sessionId, question: `question ${i}` }),
      ),
    );
    const indexes = results.map((r) => r.turn.messageIndex).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const stored = (await api.turns.list({ userId, sessionId, limit: 100 })).items;
    expect(stored.map((t) => t.messageIndex)).toEqual(indexes);
    expect(new Set(stored.map((t) => t.question)).size).toBe(20);
    expect((await api.sessions.get({ userId, sessionId })).turnCount).toBe(20);
    const next = await api.turns.append({ userId, sessionId, question: "after the burst" });
    expect(next.turn.messageIndex).toBe(20);
  });

  it("returns the same turn when turns.append is retried with the same clientMessageId", async () => {
    const clientMessageId = "msg-5f0c2e";
    const first = await api.turns.append({ userId, sessionId, question: "q", clientMessageId });
    const again = await api.turns.append({ userId, sessionId, question: "q", clientMessageId });
    expect(first.created).toBe(true);
    expect(again).toEqual({ turn: first.turn, created: false });
    // Concurrent retries of one new message store it once, and no index is skipped.
    const burst = await Promise.all(
      Array.from({ length: 6 }, () =>
        api.turns.append({ userId, sessionId, question: "q2", clientMessageId: "msg-2" }),
      ),
    );
    expect(burst.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(burst.map((r) => r.turn.messageIndex))).toEqual(new Set([1]));
    const other = await api.turns.append({ userId, sessionId, question: "q3" });
    expect(other.turn.messageIndex).toBe(2);
    expect((await api.turns.list({ userId, sessionId })).items).toHaveLength(3);
  });

  it("refuses to complete a turn that is already complete, keeping the first answer", async () => {
    await api.turns.append({ userId, sessionId, question: "q" });
    await api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "first" });
    const again = await failureOf(
      api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "second" }),
    );
    expect(again.appCode).toBe("CONFLICT");
    expect(again.message).toMatch(/already complete/);
    expect((await api.turns.list({ userId, sessionId })).items[0]?.answer).toBe("first");
  });

  it("lets exactly one of several racing completions win, every time", async () => {
    // Several rounds on fresh turns: a lost race shows up only now and then.
    for (let messageIndex = 0; messageIndex < 5; messageIndex++) {
      await api.turns.append({ userId, sessionId, question: `q${messageIndex}` });
      const outcomes = await Promise.allSettled(
        ["a", "b", "c", "d", "e", "f"].map((answer) =>
          api.turns.complete({ userId, sessionId, messageIndex, answer }),
        ),
      );
      const won = outcomes.filter((o) => o.status === "fulfilled");
      expect(won, `round ${messageIndex}`).toHaveLength(1);
      const winner = won[0]?.status === "fulfilled" ? won[0].value.answer : undefined;
      const stored = (await api.turns.list({ userId, sessionId })).items[messageIndex];
      expect(stored?.answer).toBe(winner);
    }
  });

  it("keeps the text of a partial answer and of a failed one", async () => {
    await api.turns.append({ userId, sessionId, question: "q0" });
    await api.turns.append({ userId, sessionId, question: "q1" });
    const partial = await api.turns.complete({
      userId,
      sessionId,
      messageIndex: 0,
      answer: "half an ans",
      status: "partial",
    });
    expect(partial.status).toBe("partial");
    const failed = await api.turns.fail({
      userId,
      sessionId,
      messageIndex: 1,
      error: { code: "UPSTREAM_UNAVAILABLE", message: "inference is down" },
      answer: "so far",
    });
    expect(failed).toMatchObject({
      status: "error",
      question: "q1",
      answer: "so far",
      error: { code: "UPSTREAM_UNAVAILABLE", message: "inference is down" },
    });
    const late = await failureOf(
      api.turns.complete({ userId, sessionId, messageIndex: 1, answer: "late" }),
    );
    expect(late.appCode).toBe("CONFLICT");
    const refail = await failureOf(
      api.turns.fail({ userId, sessionId, messageIndex: 0, error: { code: "X", message: "y" } }),
    );
    expect(refail.appCode).toBe("CONFLICT");
  });

  it("regenerates only the last turn, moving its answer into the history", async () => {
    await api.turns.append({ userId, sessionId, question: "q0" });
    await api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "a0" });
    await api.turns.append({ userId, sessionId, question: "q1" });
    const pendingRegen = await failureOf(
      api.turns.regenerate({ userId, sessionId, messageIndex: 1 }),
    );
    expect(pendingRegen.appCode).toBe("CONFLICT");
    expect(pendingRegen.message).toMatch(/still being answered/);
    await api.turns.complete({
      userId,
      sessionId,
      messageIndex: 1,
      answer: "a1",
      citations: [citation],
      model: "m1",
    });
    const notLast = await failureOf(api.turns.regenerate({ userId, sessionId, messageIndex: 0 }));
    expect(notLast.appCode).toBe("CONFLICT");
    expect(notLast.message).toMatch(/Only the last turn \(1\)/);
    const missing = await failureOf(api.turns.regenerate({ userId, sessionId, messageIndex: 7 }));
    expect(missing.appCode).toBe("NOT_FOUND");

    const regenerated = await api.turns.regenerate({ userId, sessionId, messageIndex: 1 });
    expect(regenerated).toMatchObject({
      messageIndex: 1,
      question: "q1",
      status: "pending",
      answer: null,
      citations: [],
    });
    expect(regenerated.history).toHaveLength(1);
    expect(regenerated.history[0]).toMatchObject({
      answer: "a1",
      citations: [citation],
      model: "m1",
      status: "complete",
    });
    await api.turns.complete({ userId, sessionId, messageIndex: 1, answer: "a1 again" });
    const twice = await api.turns.regenerate({ userId, sessionId, messageIndex: 1 });
    expect(twice.history.map((h) => h.answer)).toEqual(["a1", "a1 again"]);
    expect((await api.sessions.get({ userId, sessionId })).turnCount).toBe(2);
  });

  it("pages through turns in order, stable while new turns are appended", async () => {
    for (let i = 0; i < 5; i += 1) {
      await api.turns.append({ userId, sessionId, question: `q${i}` });
    }
    const first = await api.turns.list({ userId, sessionId, limit: 2 });
    expect(first.items.map((t) => t.messageIndex)).toEqual([0, 1]);
    await api.turns.append({ userId, sessionId, question: "q5" });
    const rest: number[] = [];
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await api.turns.list({ userId, sessionId, limit: 2, cursor });
      rest.push(...page.items.map((t) => t.messageIndex));
      cursor = page.nextCursor;
    }
    expect(rest).toEqual([2, 3, 4, 5]);
    const bad = await failureOf(api.turns.list({ userId, sessionId, cursor: "%%%" }));
    expect(bad.appCode).toBe("BAD_REQUEST");
  });

  it("accepts a question of 8,000 characters and refuses 8,001, storing nothing", async () => {
    const ok = await api.turns.append({ userId, sessionId, question: "멍".repeat(8_000) });
    expect(ok.turn.question).toHaveLength(8_000);
    for (const question of ["멍".repeat(8_001), " \n "]) {
      const refused = await failureOf(api.turns.append({ userId, sessionId, question }));
      expect(refused.appCode).toBe("VALIDATION_FAILED");
      expect(refused.message).toMatch(/question/);
    }
    expect(
      (await failureOf(api.turns.append({ userId, sessionId, question: "멍".repeat(8_001) })))
        .message,
    ).toMatch(/at most 8000 characters/);
    expect((await api.turns.list({ userId, sessionId })).items).toHaveLength(1);
    const badId = await failureOf(
      api.turns.append({ userId, sessionId, question: "q", clientMessageId: "has space" }),
    );
    expect(badId.appCode).toBe("VALIDATION_FAILED");
  });

  it("refuses NUL characters in a question or an answer instead of storing a cut text", async () => {
    const question = await failureOf(
      api.turns.append({ userId, sessionId, question: "before\u0000after" }),
    );
    expect(question.appCode).toBe("VALIDATION_FAILED");
    expect(question.message).toMatch(/question must not contain NUL/);
    await api.turns.append({ userId, sessionId, question: "q" });
    const answer = await failureOf(
      api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "a\u0000b" }),
    );
    expect(answer.message).toMatch(/answer must not contain NUL/);
    const stored = (await api.turns.list({ userId, sessionId })).items;
    expect(stored.map((t) => [t.question, t.status])).toEqual([["q", "pending"]]);
  });

  it("answers NOT_FOUND for a turn that does not exist", async () => {
    const failure = await failureOf(
      api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "x" }),
    );
    expect(failure.appCode).toBe("NOT_FOUND");
    expect(await opened.store.findTurn(userId, sessionId, 0)).toBeNull();
  });
});
