import { loadEnvOrExit, ZInferenceEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter, serve } from "@dogi/trpc";
import { createInferenceApp } from "./app.ts";

const env = loadEnvOrExit(ZInferenceEnv, { service: "inference" });
const logger = createServiceLogger("inference", env);
const health = createHealthReporter({ service: "inference", checks: [] });
const app = createInferenceApp({ logger, health, devErrors: env.DOGI_DEV_ERRORS });

await serve({
  app,
  host: env.SERVICE_HOST,
  port: env.INFERENCE_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
});
