import { expect, it } from "vitest";
import { createMongoStore } from "../store/mongodb.ts";
import { createSqliteStore } from "../store/sqlite.ts";
import { failureOf, newUserId, roomyLimits, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

const capped = (maxSessionsPerUser: number) => ({ ...roomyLimits, maxSessionsPerUser });
const failedWith = (outcomes: PromiseSettledResult<unknown>[]) =>
  outcomes.flatMap((o) =>
    o.status === "rejected" ? [(o.reason as { appCode?: string }).appCode] : [],
  );

describeEachStore("sessions.create under SESSION_MAX_SESSIONS_PER_USER", (kind) => {
  const opened = openStoreEachTest(kind);

  it("refuses one session past the cap with LIMIT_REACHED, and counts each user alone", async () => {
    const api = sessionCaller(opened.store, undefined, capped(3));
    const userId = newUserId();
    for (let i = 0; i < 3; i += 1) await api.sessions.create({ userId, title: `chat ${i}` });
    const refused = await failureOf(api.sessions.create({ userId, title: "one more" }));
    expect(refused).toMatchObject({ trpcCode: "CONFLICT", appCode: "LIMIT_REACHED" });
    expect(refused.message).toContain("3 chats");
    expect(refused.message).toContain("delete some");
    expect((await api.sessions.list({ userId })).items.map((s) => s.title).sort()).toEqual([
      "chat 0",
      "chat 1",
      "chat 2",
    ]);
    // Another user has room of their own.
    await expect(api.sessions.create({ userId: newUserId() })).resolves.toBeDefined();
  });

  it("makes room again when a session is deleted", async () => {
    const api = sessionCaller(opened.store, undefined, capped(2));
    const userId = newUserId();
    const first = await api.sessions.create({ userId });
    await api.sessions.create({ userId });
    expect((await failureOf(api.sessions.create({ userId }))).appCode).toBe("LIMIT_REACHED");
    await api.sessions.delete({ userId, sessionId: first.sessionId });
    await expect(api.sessions.create({ userId })).resolves.toBeDefined();
  });

  it("fills the cap exactly when one replica's creates race", async () => {
    const api = sessionCaller(opened.store, () => new Date(), capped(5));
    const userId = newUserId();
    await api.sessions.create({ userId });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () => api.sessions.create({ userId })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(4);
    expect(new Set(failedWith(outcomes))).toEqual(new Set(["LIMIT_REACHED"]));
    expect((await api.sessions.list({ userId, limit: 100 })).items).toHaveLength(5);
  });

  it("never leaves a user past the cap when two replicas' creates race", async () => {
    // A second store over the same database: another session service process.
    const other =
      kind.name === "sqlite"
        ? createSqliteStore({ url: opened.location.url, busyTimeoutMs: 2_000 })
        : createMongoStore({ ...opened.location, timeoutMs: 2_000 });
    try {
      const [mine, theirs] = [opened.store, other].map((s) =>
        sessionCaller(s, () => new Date(), capped(5)),
      );
      if (!mine || !theirs) throw new Error("two callers expected");
      const userId = newUserId();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) =>
          (i % 2 === 0 ? mine : theirs).sessions.create({ userId }),
        ),
      );
      const created = outcomes.filter((o) => o.status === "fulfilled").length;
      const kept = (await mine.sessions.list({ userId, limit: 100 })).items.length;
      // Every session reported created is kept, and none past the cap.
      expect(kept).toBe(created);
      expect(created).toBeGreaterThan(0);
      expect(created).toBeLessThanOrEqual(5);
      expect(new Set(failedWith(outcomes))).toEqual(new Set(["LIMIT_REACHED"]));
    } finally {
      await other.close();
    }
  });
});
