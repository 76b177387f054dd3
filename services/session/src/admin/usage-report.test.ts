import { beforeEach, describe, expect, it } from "vitest";
import type { TSessionId, TTriage } from "@dogi/contracts";
import type { SessionCaller } from "../testing/caller.ts";
import { newUserId, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";
import { percentiles } from "./usage-report.ts";

const triage = (level: TTriage["level"], ...signs: string[]): TTriage => ({
  level,
  signs: signs.map((id) => ({ id, label: id })),
  message: "See a vet.",
});

describe("percentiles", () => {
  it("takes the nearest rank, and gives nulls without data", () => {
    expect(percentiles([])).toEqual({ count: 0, p50: null, p90: null, p99: null });
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p90: 7, p99: 7 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(hundred)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99 });
  });
});

describeEachStore("usage report", (kind) => {
  const opened = openStoreEachTest(kind);
  let api: SessionCaller;
  let clock = 0;
  type Ref = "userId" | "sessionId" | "messageIndex";
  type Complete = Omit<Parameters<SessionCaller["turns"]["complete"]>[0], Ref>;
  type Fail = Omit<Parameters<SessionCaller["turns"]["fail"]>[0], Ref>;

  beforeEach(() => {
    api = sessionCaller(opened.store, () => new Date(clock));
  });

  /** One turn asked at `at`, then finished as `finish` says (or left pending). */
  async function turn(
    owner: { userId: ReturnType<typeof newUserId>; sessionId: TSessionId },
    at: string,
    finish: { complete: Complete } | { fail: Fail } | null,
  ): Promise<number> {
    clock = Date.parse(at);
    const { turn: asked } = await api.turns.append({ ...owner, question: "q" });
    const ref = { ...owner, messageIndex: asked.messageIndex };
    if (finish && "complete" in finish) await api.turns.complete({ ...ref, ...finish.complete });
    if (finish && "fail" in finish) await api.turns.fail({ ...ref, ...finish.fail });
    return asked.messageIndex;
  }

  it("sums a known week of two users' turns exactly", async () => {
    clock = Date.parse("2026-03-01T00:00:00.000Z");
    const ownerA = newUserId();
    const ownerB = newUserId();
    const sessionA = {
      userId: ownerA,
      sessionId: (await api.sessions.create({ userId: ownerA })).sessionId,
    };
    const sessionB = {
      userId: ownerB,
      sessionId: (await api.sessions.create({ userId: ownerB })).sessionId,
    };

    // Before the window: counted nowhere, its rating neither.
    const old = await turn(sessionA, "2026-03-02T10:00:00.000Z", {
      complete: {
        answer: "old",
        usage: { promptTokens: 100, completionTokens: 100 },
        firstTokenMs: 1,
      },
    });
    await api.turns.setFeedback({ ...sessionA, messageIndex: old, rating: "up" });

    const a1 = await turn(sessionA, "2026-03-08T09:00:00.000Z", {
      complete: {
        answer: "abcde",
        usage: { promptTokens: 10, completionTokens: 20 },
        firstTokenMs: 100,
        triage: triage("emergency", "bloat"),
      },
    });
    await api.turns.setFeedback({ ...sessionA, messageIndex: a1, rating: "up" });
    await turn(sessionA, "2026-03-08T23:59:59.000Z", {
      fail: {
        error: { code: "UPSTREAM_UNAVAILABLE", message: "down" },
        answer: "xx",
        firstTokenMs: 300,
        triage: triage("urgent", "vomiting", "lethargy"),
      },
    });

    const b1 = await turn(sessionB, "2026-03-09T00:00:00.000Z", {
      complete: { answer: "0123456789", firstTokenMs: 200, retrievalOnly: true },
    });
    await api.turns.setFeedback({ ...sessionB, messageIndex: b1, rating: "down" });
    await turn(sessionB, "2026-03-09T08:00:00.000Z", {
      complete: {
        answer: "x".repeat(20),
        usage: { promptTokens: 5, completionTokens: 7 },
        firstTokenMs: 400,
        triage: triage("urgent", "vomiting"),
      },
    });
    await turn(sessionB, "2026-03-09T09:00:00.000Z", {
      fail: { error: { code: "TIMEOUT", message: "slow" } },
    });
    await turn(sessionB, "2026-03-09T10:00:00.000Z", null);

    clock = Date.parse("2026-03-10T12:00:00.000Z");
    const report = await api.admin.usage({ days: 7 });
    const zero = { turns: 0, promptTokens: 0, completionTokens: 0, errors: 0 };
    expect(report).toEqual({
      since: "2026-03-03T12:00:00.000Z",
      until: "2026-03-10T12:00:00.000Z",
      perDay: [
        { day: "2026-03-03", ...zero },
        { day: "2026-03-04", ...zero },
        { day: "2026-03-05", ...zero },
        { day: "2026-03-06", ...zero },
        { day: "2026-03-07", ...zero },
        { day: "2026-03-08", turns: 2, promptTokens: 10, completionTokens: 20, errors: 1 },
        { day: "2026-03-09", turns: 4, promptTokens: 5, completionTokens: 7, errors: 1 },
        { day: "2026-03-10", ...zero },
      ],
      firstTokenMs: { count: 4, p50: 200, p90: 400, p99: 400 },
      // Completed answers only: 5, 10 and 20 characters (the failed turn's text is no answer).
      answerChars: { count: 3, p50: 10, p90: 20, p99: 20 },
      triage: {
        byLevel: { emergency: 1, urgent: 2 },
        bySign: { bloat: 1, vomiting: 2, lethargy: 1 },
      },
      retrievalOnly: 1,
      errorsByKind: { UPSTREAM_UNAVAILABLE: 1, TIMEOUT: 1 },
      feedback: { up: 1, down: 1 },
    });

    // The last day alone: only the 9th's turns after 12:00 on the 9th, of which there are none.
    const day = await api.admin.usage({ days: 1 });
    expect(day.perDay.map((d) => d.turns)).toEqual([0, 0]);
    expect(day.firstTokenMs).toEqual({ count: 0, p50: null, p90: null, p99: null });
    expect(day.feedback).toEqual({ up: 0, down: 0 });
  });

  it("reads past one batch of turns, each once", async () => {
    clock = Date.parse("2026-03-09T00:00:00.000Z");
    const userId = newUserId();
    const { sessionId } = await api.sessions.create({ userId });
    // More than a batch (1000), all created in the same millisecond: the paging must break
    // ties by session and index.
    for (let i = 0; i < 1_005; i += 1)
      await opened.store.appendTurn({
        userId,
        sessionId,
        question: `q${i}`,
        clientMessageId: null,
        autoTitle: "t",
        now: "2026-03-09T00:00:00.000Z",
        maxTurns: 10_000,
      });
    clock = Date.parse("2026-03-10T00:00:00.000Z");
    const report = await api.admin.usage({ days: 1 });
    // The window ends at midnight, so the 10th has no part of it.
    expect(report.perDay).toEqual([
      { day: "2026-03-09", turns: 1_005, promptTokens: 0, completionTokens: 0, errors: 0 },
    ]);
  });
});
