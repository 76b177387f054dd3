import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import type { SessionDeps } from "../deps.ts";
import type { SessionStore } from "../store/interface.ts";
import { createSqliteStore } from "../store/sqlite.ts";
import { newUserId, roomyLimits, sessionCaller } from "../testing/caller.ts";
import { startAbandonedTurnSweeper, sweepIntervalMs } from "./abandoned-turn-sweeper.ts";

const logger = createLogger({ service: "session", level: "silent" });

describe("the abandoned-turn sweeper", () => {
  let dir: string;
  let store: SessionStore;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dogi-sweeper-"));
    store = createSqliteStore({ url: `file:${path.join(dir, "s.db")}`, busyTimeoutMs: 2_000 });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("sweeps once the store is ready, then again on its interval", async () => {
    let clock = Date.parse("2026-03-01T00:00:00.000Z");
    const deps: SessionDeps = {
      store,
      now: () => new Date(clock),
      limits: { ...roomyLimits, staleTurnMs: 200 },
    };
    const api = sessionCaller(store, deps.now);
    const userId = newUserId();
    const { sessionId } = await api.sessions.create({ userId });
    await api.turns.append({ userId, sessionId, question: "left at start" });
    clock += 200;
    let ready: () => void = () => undefined;
    const sweeper = startAbandonedTurnSweeper(
      deps,
      logger,
      new Promise<void>((resolve) => (ready = resolve)),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Nothing before the store is ready.
      expect((await store.findTurn(userId, sessionId, 0))?.status).toBe("pending");
      ready();
      await sweeper.first;
      expect((await store.findTurn(userId, sessionId, 0))?.status).toBe("error");

      await api.turns.append({ userId, sessionId, question: "left later" });
      clock += 200;
      await expect
        .poll(async () => (await store.findTurn(userId, sessionId, 1))?.status, { timeout: 2_000 })
        .toBe("error");
    } finally {
      await sweeper.stop();
    }
  });

  it("runs every minute, or every quarter of a short bound", () => {
    expect(sweepIntervalMs(420_000)).toBe(60_000);
    expect(sweepIntervalMs(200)).toBe(50);
  });
});
