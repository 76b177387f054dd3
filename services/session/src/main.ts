import { loadEnvOrExit, ZSessionEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter, internalAuthFrom, serve, serverLimits } from "@dogi/trpc";
import { createSessionApp } from "./app.ts";
import { buildSessionDeps, settingsFromEnv } from "./build-deps.ts";
import { createStore } from "./store/create-store.ts";
import { prepareStore } from "./store/readiness.ts";
import { startAbandonedTurnSweeper } from "./turns/abandoned-turn-sweeper.ts";

const { env, notices } = loadEnvOrExit(ZSessionEnv, { service: "session" });
const logger = createServiceLogger("session", env);
for (const notice of notices) logger.warn(notice);
const store = createStore({ url: env.SESSION_DATABASE_URL, timeoutMs: env.SESSION_DB_TIMEOUT_MS });
// Serve even while the database is away: /readyz says so, and calls fail fast with UNAVAILABLE.
const prepared = prepareStore(store, logger);
const deps = buildSessionDeps(store, settingsFromEnv(env));
const health = createHealthReporter({
  service: "session",
  checks: [{ name: "database", check: prepared.check }],
});
const app = createSessionApp({
  logger,
  health,
  devErrors: env.DOGI_DEV_ERRORS,
  internalAuth: internalAuthFrom(env),
  deps,
});
// Turns left pending by a crashed gateway end as failed: once the store is ready, then periodically.
const sweeper = startAbandonedTurnSweeper(deps, logger, prepared.ready);

await serve({
  app,
  host: env.SERVICE_HOST,
  port: env.SESSION_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  limits: serverLimits(env),
  onShutdown: async () => {
    prepared.stop();
    await sweeper.stop();
    await store.close();
  },
});
