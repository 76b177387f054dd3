import { loadEnvOrExit, ZRagEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter, serve } from "@dogi/trpc";
import { createRagApp } from "./app.ts";
import { chromaHeartbeatCheck } from "./chroma-health.ts";

const env = loadEnvOrExit(ZRagEnv, { service: "rag" });
const logger = createServiceLogger("rag", env);
const health = createHealthReporter({
  service: "rag",
  checks: [{ name: "chroma", check: chromaHeartbeatCheck(env.CHROMA_URL) }],
});
const app = createRagApp({ logger, health, devErrors: env.DOGI_DEV_ERRORS });

await serve({
  app,
  host: env.SERVICE_HOST,
  port: env.RAG_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
});
