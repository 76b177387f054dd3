import { loadEnvOrExit, ZAuthEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter, serve } from "@dogi/trpc";
import { createAuthApp } from "./app.ts";

const env = loadEnvOrExit(ZAuthEnv, { service: "auth" });
const logger = createServiceLogger("auth", env);
const health = createHealthReporter({ service: "auth", checks: [] });
const app = createAuthApp({ logger, health, devErrors: env.DOGI_DEV_ERRORS });

await serve({
  app,
  host: env.SERVICE_HOST,
  port: env.AUTH_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
});
