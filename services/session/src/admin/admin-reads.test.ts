import { beforeEach, expect, it } from "vitest";
import type { TSessionId, TUserId } from "@dogi/contracts";
import type { SessionCaller } from "../testing/caller.ts";
import { failureOf, newUserId, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

describeEachStore("admin activity and feedback", (kind) => {
  const opened = openStoreEachTest(kind);
  let api: SessionCaller;
  let clock = Date.parse("2026-03-01T00:00:00.000Z");

  beforeEach(() => {
    api = sessionCaller(opened.store, () => new Date(clock));
  });

  /** An answered turn in the session. */
  async function answered(userId: TUserId, sessionId: TSessionId, question = "q") {
    const { turn } = await api.turns.append({ userId, sessionId, question });
    return api.turns.complete({
      userId,
      sessionId,
      messageIndex: turn.messageIndex,
      answer: `answer to ${question}`,
      model: "tiny",
      citations: [{ source: "kb/toxins.md", title: "Toxins", section: "Dogs", text: "Chocolate…" }],
      triage: { level: "urgent", signs: [], message: "See a vet today." },
    });
  }

  it("counts each user's sessions and turns, zeros for one unknown", async () => {
    const busy = newUserId();
    const quiet = newUserId();
    const unknown = newUserId();
    const first = await api.sessions.create({ userId: busy });
    const second = await api.sessions.create({ userId: busy });
    await answered(busy, first.sessionId);
    await answered(busy, first.sessionId);
    await api.turns.append({ userId: busy, sessionId: second.sessionId, question: "q" });
    await api.sessions.create({ userId: quiet });

    expect(await api.admin.activity({ userIds: [busy, quiet, unknown] })).toEqual({
      [busy]: { sessions: 2, turns: 3 },
      [quiet]: { sessions: 1, turns: 0 },
      [unknown]: { sessions: 0, turns: 0 },
    });
    await api.sessions.delete({ userId: busy, sessionId: first.sessionId });
    expect(await api.admin.activity({ userIds: [busy] })).toEqual({
      [busy]: { sessions: 1, turns: 1 },
    });
    expect(await api.admin.activity({ userIds: [] })).toEqual({});
    const tooMany = await failureOf(
      api.admin.activity({ userIds: Array.from({ length: 101 }, () => newUserId()) }),
    );
    expect(tooMany.appCode).toBe("VALIDATION_FAILED");
  });

  it("pages rated answers newest rating first, by rating and window, without user ids", async () => {
    const owner = newUserId();
    const other = newUserId();
    const mine = await api.sessions.create({ userId: owner });
    const theirs = await api.sessions.create({ userId: other });
    await answered(owner, mine.sessionId, "q0");
    await answered(owner, mine.sessionId, "q1");
    await answered(other, theirs.sessionId, "q2");
    await answered(other, theirs.sessionId, "unrated");

    const rate = async (
      at: string,
      userId: TUserId,
      sessionId: TSessionId,
      messageIndex: number,
      rating: "up" | "down",
    ) => {
      clock = Date.parse(at);
      await api.turns.setFeedback({ userId, sessionId, messageIndex, rating, comment: "c" });
    };
    await rate("2026-02-01T00:00:00.000Z", owner, mine.sessionId, 0, "down");
    await rate("2026-03-08T12:00:00.000Z", owner, mine.sessionId, 1, "up");
    await rate("2026-03-09T06:00:00.000Z", other, theirs.sessionId, 0, "down");
    clock = Date.parse("2026-03-10T00:00:00.000Z");

    const month = await api.admin.feedback.list({ days: 30 });
    expect(month.items.map((i) => [i.question, i.feedback.rating])).toEqual([
      ["q2", "down"],
      ["q1", "up"],
    ]);
    expect(month.nextCursor).toBeNull();
    const item = month.items[0];
    expect(item).toEqual({
      sessionId: theirs.sessionId,
      messageIndex: 0,
      question: "q2",
      answer: "answer to q2",
      model: "tiny",
      citations: [{ source: "kb/toxins.md", title: "Toxins" }],
      triageLevel: "urgent",
      createdAt: expect.any(String),
      feedback: { rating: "down", comment: "c", at: "2026-03-09T06:00:00.000Z" },
    });
    expect(JSON.stringify(month)).not.toContain(owner);
    expect(JSON.stringify(month)).not.toContain(other);

    const downs = await api.admin.feedback.list({ days: 30, rating: "down" });
    expect(downs.items.map((i) => i.question)).toEqual(["q2"]);
    // q0's rating (37 days old) is outside even the 30-day window; q1's (36 h) outside a day.
    const day = await api.admin.feedback.list({ days: 1 });
    expect(day.items.map((i) => i.question)).toEqual(["q2"]);

    const firstPage = await api.admin.feedback.list({ days: 30, limit: 1 });
    expect(firstPage.items.map((i) => i.question)).toEqual(["q2"]);
    expect(firstPage.nextCursor).not.toBeNull();
    const secondPage = await api.admin.feedback.list({
      days: 30,
      limit: 1,
      cursor: firstPage.nextCursor ?? undefined,
    });
    expect(secondPage.items.map((i) => i.question)).toEqual(["q1"]);
    expect(secondPage.nextCursor).toBeNull();

    // A cleared rating leaves the list.
    await api.turns.setFeedback({
      userId: other,
      sessionId: theirs.sessionId,
      messageIndex: 0,
      rating: null,
    });
    expect((await api.admin.feedback.list({ days: 30 })).items.map((i) => i.question)).toEqual([
      "q1",
    ]);
    const bad = await failureOf(api.admin.feedback.list({ days: 30, cursor: "nonsense" }));
    expect(bad.appCode).toBe("BAD_REQUEST");
  });

  it("breaks ties between ratings given in the same millisecond by session and index", async () => {
    const owner = newUserId();
    const { sessionId } = await api.sessions.create({ userId: owner });
    for (let i = 0; i < 3; i += 1) await answered(owner, sessionId, `q${i}`);
    clock = Date.parse("2026-03-09T00:00:00.000Z");
    const frozen = sessionCaller(opened.store, () => new Date(clock));
    for (let i = 0; i < 3; i += 1)
      await frozen.turns.setFeedback({ userId: owner, sessionId, messageIndex: i, rating: "up" });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.admin.feedback.list({ days: 7, limit: 1, cursor });
      seen.push(...page.items.map((i) => i.question));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(["q2", "q1", "q0"]);
  });
});
