import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { goodPassword, startAuth, storeKinds, uniqueEmail } from "@dogi/auth/testing";
import type { AuthHarness } from "@dogi/auth/testing";
import { createLogger } from "@dogi/logger";
import { startSessionService } from "@dogi/session/testing";
import type { SessionTestService } from "@dogi/session/testing";
import { BackgroundWork } from "../background.ts";
import { testServiceClients } from "../testing/service-clients.ts";
import { deadReplicaUrl } from "../testing/replica.ts";
import { retryDelayMs } from "./delete-account.ts";
import { DeletionJob } from "./deletion-job.ts";

describe("retryDelayMs", () => {
  it("waits the interval after a first failure and doubles it after each further one", () => {
    expect([1, 2, 3, 4].map((attempts) => retryDelayMs(attempts, 30_000))).toEqual([
      30_000, 60_000, 120_000, 240_000,
    ]);
  });

  it("waits at most an hour, unless the interval itself is longer", () => {
    expect(retryDelayMs(8, 30_000)).toBe(3_600_000);
    expect(retryDelayMs(1_000, 30_000)).toBe(3_600_000);
    expect(retryDelayMs(3, 2 * 3_600_000)).toBe(2 * 3_600_000);
  });
});

// The job against the real auth service (SQLite) and the real session service, or a dead one.
describe("the deletion job", () => {
  const [sqlite] = storeKinds();
  let auth: AuthHarness;
  let session: SessionTestService;
  const logger = createLogger({ service: "gateway", level: "silent" });

  beforeEach(async () => {
    if (!sqlite) throw new Error("no sqlite store kind");
    auth = await startAuth(sqlite);
    session = await startSessionService();
  });
  afterEach(async () => {
    await session.stop();
    await auth.close();
  });

  const clientsFor = (sessionUrl: string) =>
    testServiceClients({ AUTH_URL: auth.url, SESSION_URL: sessionUrl }, 5_000);
  const jobFor = (sessionUrl: string, retryMs: number) =>
    new DeletionJob({
      services: clientsFor(sessionUrl),
      logger,
      retryMs,
      background: new BackgroundWork(),
    });
  const sessionsOf = async (userId: string) =>
    (await session.store.listSessions({ userId, limit: 10 })).length;
  const until = (at: Date | undefined) =>
    new Promise((resolve) => setTimeout(resolve, (at?.getTime() ?? 0) - Date.now() + 20));

  /** A user with two chat sessions, whose account is then deleted (only at auth). */
  async function deletedUserWithSessions() {
    const { user, tokens } = await auth
      .client()
      .account.register.mutate({ email: uniqueEmail(), password: goodPassword });
    const sessionService = clientsFor(session.url).session;
    await sessionService.sessions.create.mutate({ userId: user.userId });
    await sessionService.sessions.create.mutate({ userId: user.userId });
    await auth.client(tokens.accessToken).account.delete.mutate({ password: goodPassword });
    return user.userId;
  }
  const tombstoneOf = async (userId: string) =>
    (await auth.deps.store.listDeletions()).find((d) => d.userId === userId);

  it("deletes a due deletion's sessions and completes it", async () => {
    const userId = await deletedUserWithSessions();
    expect(await sessionsOf(userId)).toBe(2);
    expect(await jobFor(session.url, 60_000).runOnce()).toEqual({ deleted: 1, deferred: 0 });
    expect(await sessionsOf(userId)).toBe(0);
    expect(await tombstoneOf(userId)).toMatchObject({ pending: [], attempts: 0 });
    expect((await tombstoneOf(userId))?.completedAt).not.toBeNull();
  });

  it("backs off a deletion whose session service is down: not retried before its delay, which doubles", async () => {
    const userId = await deletedUserWithSessions();
    const job = jobFor(await deadReplicaUrl(), 400);
    const before = Date.now();
    expect(await job.runOnce()).toEqual({ deleted: 0, deferred: 1 });
    const first = await tombstoneOf(userId);
    expect(first).toMatchObject({ attempts: 1, pending: ["session"], completedAt: null });
    expect(first?.lastError).toMatch(/fetch failed|ECONNREFUSED/);
    const firstWait = (first?.nextAttemptAt.getTime() ?? 0) - before;
    expect(firstWait).toBeGreaterThanOrEqual(400);
    // Due again only once the delay is over: an immediate pass does not touch it.
    expect(await job.runOnce()).toEqual({ deleted: 0, deferred: 0 });
    expect((await tombstoneOf(userId))?.attempts).toBe(1);
    await until(first?.nextAttemptAt);
    const retried = Date.now();
    expect(await job.runOnce()).toEqual({ deleted: 0, deferred: 1 });
    const second = await tombstoneOf(userId);
    expect(second?.attempts).toBe(2);
    expect((second?.nextAttemptAt.getTime() ?? 0) - retried).toBeGreaterThanOrEqual(800 - 50);
    // The sessions are still there, and a job that reaches the session service finishes it.
    expect(await sessionsOf(userId)).toBe(2);
    await until(second?.nextAttemptAt);
    expect(await jobFor(session.url, 400).runOnce()).toEqual({ deleted: 1, deferred: 0 });
    expect(await sessionsOf(userId)).toBe(0);
  });
});
