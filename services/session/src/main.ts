import { loadEnvOrExit, ZSessionEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter, serve } from "@dogi/trpc";
import { createSessionApp } from "./app.ts";

const env = loadEnvOrExit(ZSessionEnv, { service: "session" });
const logger = createServiceLogger("session", env);
const health = createHealthReporter({ service: "session", checks: [] });
const app = createSessionApp({ logger, health, devErrors: env.DOGI_DEV_ERRORS });

await serve({
  app,
  host: env.SERVICE_HOST,
  port: env.SESSION_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
});
