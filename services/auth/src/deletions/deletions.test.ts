import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TUserId } from "@dogi/contracts";
import type { AuthHarness } from "../testing/harness.ts";
import { failure, goodPassword, startAuth, uniqueEmail } from "../testing/harness.ts";
import { storeKinds } from "../testing/stores.ts";

// The procedures the gateway drives account deletions with, over HTTP on the SQLite store (the
// store contract suite runs both adapters).
const [sqlite] = storeKinds();
let auth: AuthHarness;
beforeAll(async () => {
  if (!sqlite) throw new Error("no sqlite store kind");
  auth = await startAuth(sqlite);
});
afterAll(async () => {
  await auth?.close();
});

async function deletedAccount(): Promise<string> {
  const { user, tokens } = await auth
    .client()
    .account.register.mutate({ email: uniqueEmail(), password: goodPassword });
  await auth.client(tokens.accessToken).account.delete.mutate({ password: goodPassword });
  return user.userId;
}

const pendingIds = async () =>
  (await auth.client().deletions.pending.query({ limit: 100 })).items.map((d) => d.userId);

describe("account deletions", () => {
  it("lists a deleted account as pending for the session store until that is marked done", async () => {
    const userId = await deletedAccount();
    const listed = (await auth.client().deletions.pending.query({})).items.find(
      (d) => d.userId === userId,
    );
    expect(listed).toMatchObject({ pending: ["session"], attempts: 0, completedAt: null });
    const done = await auth.client().deletions.markDone.mutate({ userId, store: "session" });
    expect(done.pending).toEqual([]);
    expect(Date.parse(done.completedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(done.deletedAt));
    expect(await pendingIds()).not.toContain(userId);
    // The tombstone stays, for restores.
    expect((await auth.deps.store.listDeletions()).map((d) => d.userId)).toContain(userId);
  });

  it("defers a deletion whose attempt failed by the delay asked, counting the attempts", async () => {
    const userId = await deletedAccount();
    const deferred = await auth.client().deletions.recordFailure.mutate({
      userId,
      error: "session: connection refused",
      retryAfterMs: 60_000,
    });
    expect(deferred).toMatchObject({ attempts: 1, lastError: "session: connection refused" });
    expect(Date.parse(deferred.nextAttemptAt) - Date.now()).toBeGreaterThan(50_000);
    expect(await pendingIds()).not.toContain(userId);
    const due = await auth.client().deletions.recordFailure.mutate({
      userId,
      error: "again",
      retryAfterMs: 0,
    });
    expect(due.attempts).toBe(2);
    expect(await pendingIds()).toContain(userId);
  });

  it("answers NOT_FOUND for a user without a tombstone and refuses a store it does not know", async () => {
    const unknown = randomUUID() as TUserId;
    const missing = await failure(
      auth.client().deletions.markDone.mutate({ userId: unknown, store: "session" }),
    );
    expect(missing.data?.httpStatus).toBe(404);
    const userId = await deletedAccount();
    const invalid = await failure(
      auth.client().deletions.markDone.mutate({ userId, store: "rag" as never }),
    );
    expect(invalid.data?.httpStatus).toBe(400);
    expect(await pendingIds()).toContain(userId);
  });
});
