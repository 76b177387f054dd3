import { loadEnvOrExit, ZAuthEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter, internalAuthFrom, serve, serverLimits } from "@dogi/trpc";
import { createAuthApp } from "./app.ts";
import { buildAuthDeps, settingsFromEnv } from "./build-deps.ts";
import { createStore } from "./store/index.ts";

const { env, notices } = loadEnvOrExit(ZAuthEnv, { service: "auth" });
const logger = createServiceLogger("auth", env);
for (const notice of notices) logger.warn(notice);
const store = createStore(env.AUTH_DATABASE_URL);
try {
  await store.migrate();
} catch (error) {
  logger.fatal({ err: error }, "could not open or migrate the auth database (AUTH_DATABASE_URL)");
  await store.close().catch(() => undefined);
  process.exit(1);
}

const deps = buildAuthDeps(store, logger, settingsFromEnv(env));
const health = createHealthReporter({
  service: "auth",
  checks: [
    {
      name: "database",
      check: async () => {
        await store.ping();
        return { name: "database", ok: true };
      },
    },
  ],
});
const app = createAuthApp({
  logger,
  health,
  devErrors: env.DOGI_DEV_ERRORS,
  internalAuth: internalAuthFrom(env),
  deps,
});

await serve({
  app,
  host: env.SERVICE_HOST,
  port: env.AUTH_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  limits: serverLimits(env),
  onShutdown: () => store.close(),
});
