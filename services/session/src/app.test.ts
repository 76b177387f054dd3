import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import { createHealthReporter, createServiceClient } from "@dogi/trpc";
import type { RunningServer } from "@dogi/trpc";
import { serveForTest, testCredential, testInternalAuth } from "@dogi/testing";
import { createSessionApp } from "./app.ts";
import { buildSessionDeps } from "./build-deps.ts";
import type { SessionRouter } from "./router.ts";
import type { SessionStore } from "./store/interface.ts";
import { prepareStore } from "./store/readiness.ts";
import { createSqliteStore } from "./store/sqlite.ts";
import { newUserId } from "./testing/caller.ts";

describe("session service over HTTP (sqlite)", () => {
  let dir: string;
  let store: SessionStore;
  let running: RunningServer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dogi-session-app-"));
    store = createSqliteStore({ url: `file:${path.join(dir, "s.db")}`, busyTimeoutMs: 2_000 });
    const logger = createLogger({ service: "session", level: "silent" });
    const prepared = prepareStore(store, logger);
    await prepared.ready;
    const health = createHealthReporter({
      service: "session",
      checks: [{ name: "database", check: prepared.check }],
    });
    const app = createSessionApp({
      logger,
      health,
      devErrors: false,
      internalAuth: testInternalAuth,
      deps: buildSessionDeps(store, {
        limits: { maxSessionsPerUser: 1_000, maxTurnsPerSession: 500, staleTurnMs: 420_000 },
      }),
    });
    running = await serveForTest({
      app,
      logger,
      onShutdown: () => store.close(),
    });
  });

  afterAll(async () => {
    await running.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is ready once its database answers", async () => {
    const response = await fetch(`${running.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "ok",
      dependencies: [{ name: "sqlite", ok: true }],
    });
  });

  it("serves the typed procedures and maps refusals to Dogi's error codes", async () => {
    const client = createServiceClient<SessionRouter>({
      url: running.url,
      timeoutMs: 5_000,
      credential: testCredential("session"),
    });
    const userId = newUserId();
    const { sessionId } = await client.sessions.create.mutate({ userId });
    const { turn } = await client.turns.append.mutate({ userId, sessionId, question: "안녕" });
    expect(turn).toMatchObject({ messageIndex: 0, status: "pending" });
    // The store's revision counter stays internal.
    expect(turn).not.toHaveProperty("revision");

    const stranger = await client.sessions.get
      .query({ userId: newUserId(), sessionId })
      .catch((error: unknown) => error);
    expect(stranger).toMatchObject({ data: { appCode: "NOT_FOUND", httpStatus: 404 } });

    const tooLong = await client.turns.append
      .mutate({ userId, sessionId, question: "x".repeat(8_001) })
      .catch((error: unknown) => error);
    expect(tooLong).toMatchObject({
      data: { appCode: "VALIDATION_FAILED", httpStatus: 400, issues: [{ path: "question" }] },
    });
  });
});
