import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLogger } from "@dogi/logger";
import { serveForTest, testInternalAuth } from "@dogi/testing";
import { createHealthReporter } from "@dogi/trpc";
import { createSessionApp } from "../app.ts";
import { buildSessionDeps } from "../build-deps.ts";
import type { SessionStore } from "../store/interface.ts";
import { createSqliteStore } from "../store/sqlite.ts";
import { roomyLimits } from "./caller.ts";
import { countedStore } from "./counted-store.ts";

/** A session service over HTTP on SQLite in a temporary folder, for tests of its callers. */
export interface SessionTestService {
  url: string;
  /** The store itself, to seed data without going through the API. */
  store: SessionStore;
  /** The `limit` of every listTurns call the service made. */
  reads: number[];
  stop(): Promise<void>;
}

/** Starts the session app in this process on a free port of 127.0.0.1. */
export async function startSessionService(): Promise<SessionTestService> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "dogi-session-service-"));
  const store = createSqliteStore({
    url: `file:${path.join(dir, "session.db")}`,
    busyTimeoutMs: 2_000,
  });
  await store.init();
  const { store: counted, reads } = countedStore(store);
  const logger = createLogger({ service: "session", level: "silent" });
  const running = await serveForTest({
    app: createSessionApp({
      logger,
      health: createHealthReporter({ service: "session", checks: [] }),
      devErrors: false,
      internalAuth: testInternalAuth,
      deps: buildSessionDeps(counted, { limits: roomyLimits }),
    }),
    logger,
  });
  return {
    url: running.url,
    store,
    reads,
    async stop() {
      running.server.closeAllConnections();
      await running.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
