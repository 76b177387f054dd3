import { expect, it } from "vitest";
import { failureOf, newUserId, roomyLimits, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

const capped = (maxTurnsPerSession: number) => ({ ...roomyLimits, maxTurnsPerSession });

describeEachStore("turns.append under SESSION_MAX_TURNS_PER_SESSION", (kind) => {
  const opened = openStoreEachTest(kind);
  const userId = newUserId();

  it("refuses a question past the cap with LIMIT_REACHED, and keeps the turns stored", async () => {
    const api = sessionCaller(opened.store, undefined, capped(3));
    const { sessionId } = await api.sessions.create({ userId });
    for (let i = 0; i < 3; i += 1) await api.turns.append({ userId, sessionId, question: `q${i}` });
    const refused = await failureOf(api.turns.append({ userId, sessionId, question: "q3" }));
    expect(refused).toMatchObject({ trpcCode: "CONFLICT", appCode: "LIMIT_REACHED" });
    expect(refused.message).toContain("3 messages");
    expect(refused.message).toContain("start a new chat");
    const stored = (await api.turns.list({ userId, sessionId })).items;
    expect(stored.map((t) => t.question)).toEqual(["q0", "q1", "q2"]);
    expect((await api.sessions.get({ userId, sessionId })).turnCount).toBe(3);
    // Other sessions have room of their own.
    const other = await api.sessions.create({ userId });
    await expect(
      api.turns.append({ userId, sessionId: other.sessionId, question: "fresh" }),
    ).resolves.toMatchObject({ created: true });
  });

  it("still answers a retry of a stored question in a full session", async () => {
    const api = sessionCaller(opened.store, undefined, capped(2));
    const { sessionId } = await api.sessions.create({ userId });
    await api.turns.append({ userId, sessionId, question: "q0" });
    const last = await api.turns.append({
      userId,
      sessionId,
      question: "q1",
      clientMessageId: "m-1",
    });
    const retried = await api.turns.append({
      userId,
      sessionId,
      question: "q1",
      clientMessageId: "m-1",
    });
    expect(retried).toEqual({ turn: last.turn, created: false });
  });

  it("says NOT_FOUND, not LIMIT_REACHED, for a session that is not there", async () => {
    const api = sessionCaller(opened.store, undefined, capped(1));
    const { sessionId } = await api.sessions.create({ userId });
    await api.turns.append({ userId, sessionId, question: "q0" });
    const stranger = await failureOf(
      api.turns.append({ userId: newUserId(), sessionId, question: "mine?" }),
    );
    expect(stranger.appCode).toBe("NOT_FOUND");
  });

  it("stores exactly the cap when appends race past it", async () => {
    const api = sessionCaller(opened.store, undefined, capped(5));
    const { sessionId } = await api.sessions.create({ userId });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        api.turns.append({ userId, sessionId, question: `q${i}` }),
      ),
    );
    const created = outcomes.filter((o) => o.status === "fulfilled");
    expect(created).toHaveLength(5);
    for (const outcome of outcomes) {
      if (outcome.status === "rejected")
        expect((outcome.reason as { appCode?: string }).appCode).toBe("LIMIT_REACHED");
    }
    const stored = (await api.turns.list({ userId, sessionId, limit: 100 })).items;
    expect(stored.map((t) => t.messageIndex)).toEqual([0, 1, 2, 3, 4]);
  });
});
