import { MongoClient } from "mongodb";
import { beforeEach, expect, it } from "vitest";
import type { TSessionId } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import type { SessionCaller } from "../testing/caller.ts";
import { callerWithSession, failureOf, newUserId, roomyLimits } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";
import { sweepAbandonedTurns } from "./sweep-abandoned-turns.ts";

const STALE_MS = roomyLimits.staleTurnMs;

describeEachStore("turns left pending (SESSION_STALE_TURN_MS)", (kind) => {
  const opened = openStoreEachTest(kind);
  let api: SessionCaller;
  let deps: SessionDeps;
  let sessionId: TSessionId;
  let clock: number;
  const userId = newUserId();
  const later = (ms: number) => (clock += ms);

  beforeEach(async () => {
    clock = Date.parse("2026-03-01T00:00:00.000Z");
    deps = { store: opened.store, now: () => new Date(clock), limits: roomyLimits };
    ({ api, sessionId } = await callerWithSession(opened.store, userId, deps.now));
  });

  it("sweeps a turn pending past the bound to failed, leaving fresh and finished turns alone", async () => {
    await api.turns.append({ userId, sessionId, question: "done" });
    await api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "a0" });
    await api.turns.append({ userId, sessionId, question: "abandoned" });
    later(STALE_MS - 1_000);
    await api.turns.append({ userId, sessionId, question: "fresh" });
    later(1_000);

    expect(await sweepAbandonedTurns(deps)).toMatchObject({ ended: 1 });
    const turns = (await api.turns.list({ userId, sessionId })).items;
    expect(turns.map((t) => t.status)).toEqual(["complete", "error", "pending"]);
    expect(turns[0]?.answer).toBe("a0");
    expect(turns[1]).toMatchObject({
      question: "abandoned",
      error: { code: "ABANDONED" },
      completedAt: new Date(clock).toISOString(),
    });
    // A second sweep (another replica) finds nothing left to do.
    expect(await sweepAbandonedTurns(deps)).toMatchObject({ ended: 0 });
    // The late gateway cannot overwrite the swept outcome.
    const late = await failureOf(
      api.turns.complete({ userId, sessionId, messageIndex: 1, answer: "too late" }),
    );
    expect(late.appCode).toBe("CONFLICT");
  });

  it("ends each abandoned turn once when several replicas sweep at the same time", async () => {
    for (let i = 0; i < 4; i += 1) await api.turns.append({ userId, sessionId, question: `q${i}` });
    later(STALE_MS);
    const results = await Promise.all(Array.from({ length: 4 }, () => sweepAbandonedTurns(deps)));
    expect(results.reduce((sum, r) => sum + r.ended, 0)).toBe(4);
    // Each turn was changed exactly once: one revision past the one it was stored with.
    for (let index = 0; index < 4; index += 1) {
      const stored = await opened.store.findTurn(userId, sessionId, index);
      expect(stored).toMatchObject({ status: "error", revision: 1 });
    }
  });

  it("counts a regenerated turn's age from the regenerate, not from the question", async () => {
    await api.turns.append({ userId, sessionId, question: "q" });
    await api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "first" });
    later(STALE_MS * 2);
    await api.turns.regenerate({ userId, sessionId, messageIndex: 0 });
    later(STALE_MS - 1_000);
    expect(await sweepAbandonedTurns(deps)).toMatchObject({ ended: 0 });
    later(1_000);
    expect(await sweepAbandonedTurns(deps)).toMatchObject({ ended: 1 });
    const [turn] = (await api.turns.list({ userId, sessionId })).items;
    expect(turn?.status).toBe("error");
    expect(turn?.history.map((h) => h.answer)).toEqual(["first"]);
  });

  it("starts a new attempt when a retry finds its turn abandoned, and still refuses a fresh one", async () => {
    const clientMessageId = "msg-stuck";
    const first = await api.turns.append({ userId, sessionId, question: "q", clientMessageId });
    later(STALE_MS - 1_000);
    const tooSoon = await api.turns.append({ userId, sessionId, question: "q", clientMessageId });
    expect(tooSoon).toEqual({ turn: first.turn, created: false });

    later(1_000);
    // Several retries at once: exactly one takes the turn over, the others see it pending.
    const retries = await Promise.all(
      Array.from({ length: 4 }, () =>
        api.turns.append({ userId, sessionId, question: "q", clientMessageId }),
      ),
    );
    expect(retries.filter((r) => r.created)).toHaveLength(1);
    for (const retry of retries) {
      expect(retry.turn).toMatchObject({ messageIndex: 0, status: "pending" });
    }
    const taken = retries.find((r) => r.created)?.turn;
    expect(taken?.history).toEqual([
      expect.objectContaining({
        status: "error",
        error: expect.objectContaining({ code: "ABANDONED" }),
      }),
    ]);
    // The new attempt is fresh: a retry now gets it as being answered, and a sweep leaves it.
    const again = await api.turns.append({ userId, sessionId, question: "q", clientMessageId });
    expect(again.created).toBe(false);
    expect(await sweepAbandonedTurns(deps)).toMatchObject({ ended: 0 });
    await api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "answered at last" });
    const answered = await api.turns.append({ userId, sessionId, question: "q", clientMessageId });
    expect(answered).toMatchObject({ created: false, turn: { answer: "answered at last" } });
    expect((await api.sessions.get({ userId, sessionId })).turnCount).toBe(1);
  });

  it("starts a new attempt when a retry finds its turn failed", async () => {
    const clientMessageId = "msg-failed";
    await api.turns.append({ userId, sessionId, question: "q", clientMessageId });
    await api.turns.fail({
      userId,
      sessionId,
      messageIndex: 0,
      error: { code: "UPSTREAM_UNAVAILABLE", message: "inference is down" },
      answer: "so far",
    });
    const retried = await api.turns.append({ userId, sessionId, question: "q", clientMessageId });
    expect(retried.created).toBe(true);
    expect(retried.turn).toMatchObject({ status: "pending", answer: null, error: null });
    expect(retried.turn.history).toEqual([
      expect.objectContaining({ status: "error", answer: "so far" }),
    ]);
  });

  it("regenerates a failed turn and an abandoned one, but not one still being answered", async () => {
    await api.turns.append({ userId, sessionId, question: "q" });
    await api.turns.fail({
      userId,
      sessionId,
      messageIndex: 0,
      error: { code: "TIMEOUT", message: "took too long" },
    });
    const regenerated = await api.turns.regenerate({ userId, sessionId, messageIndex: 0 });
    expect(regenerated.status).toBe("pending");
    expect(regenerated.history).toEqual([expect.objectContaining({ status: "error" })]);

    later(STALE_MS - 1_000);
    const busy = await failureOf(api.turns.regenerate({ userId, sessionId, messageIndex: 0 }));
    expect(busy.message).toMatch(/still being answered/);
    later(1_000);
    const takenOver = await api.turns.regenerate({ userId, sessionId, messageIndex: 0 });
    expect(takenOver.status).toBe("pending");
    expect(takenOver.history.map((h) => h.error?.code)).toEqual(["TIMEOUT", "ABANDONED"]);
  });

  // Only the MongoDB store writes claims; the SQLite one has nothing to test here.
  if (kind.name === "mongodb")
    it("drops a write claim left by a crash, so the turn it blocked can be ended", async () => {
      await api.turns.append({ userId, sessionId, question: "q" });
      const client = new MongoClient(opened.location.url);
      try {
        // What a process that died inside updateTurn leaves: the claim on revision 0.
        await client
          .db(opened.location.dbName)
          .collection<{ _id: string; created_at: Date }>("llm_turn_claims")
          .insertOne({ _id: `${sessionId}/0@0`, created_at: new Date(clock) });
      } finally {
        await client.close();
      }
      const blocked = await failureOf(
        api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "a" }),
      );
      expect(blocked.appCode).toBe("CONFLICT");
      later(STALE_MS);
      expect(await sweepAbandonedTurns(deps)).toEqual({ ended: 1, claimsDropped: 1 });
      const regenerated = await api.turns.regenerate({ userId, sessionId, messageIndex: 0 });
      expect(regenerated.status).toBe("pending");
      await api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "answered" });
    });
});
