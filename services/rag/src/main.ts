import { loadEnvOrExit, ZRagEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter, internalAuthFrom, serve, serverLimits } from "@dogi/trpc";
import { createRagApp } from "./app.ts";
import { buildRagDeps, createKnowledgeBase, settingsFromEnv } from "./build-deps.ts";
import { chromaHeartbeatCheck } from "./chroma-health.ts";
import { createEmbedder } from "./embed/create-embedder.ts";

const { env, notices } = loadEnvOrExit(ZRagEnv, { service: "rag" });
const logger = createServiceLogger("rag", env);
for (const notice of notices) logger.warn(notice);
if (env.RAG_CHUNK_OVERLAP >= env.RAG_CHUNK_SIZE) {
  logger.fatal("RAG_CHUNK_OVERLAP must be smaller than RAG_CHUNK_SIZE");
  process.exit(1);
}
const settings = settingsFromEnv(env);
const embedder = await createEmbedder(env);
const kb = createKnowledgeBase(embedder, logger, settings);
// The knowledge base comes up in the background, while the service already serves.
const deps = buildRagDeps(kb, logger, settings);
const health = createHealthReporter({
  service: "rag",
  checks: [
    { name: "chroma", check: chromaHeartbeatCheck(settings.chromaUrl) },
    { name: "knowledge-base", check: deps.runtime.readinessCheck() },
  ],
});
const app = createRagApp({
  logger,
  health,
  devErrors: env.DOGI_DEV_ERRORS,
  internalAuth: internalAuthFrom(env),
  deps,
});

await serve({
  app,
  host: env.SERVICE_HOST,
  port: env.RAG_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  limits: serverLimits(env),
  onShutdown: async () => {
    deps.runtime.stop();
    await embedder.close?.();
  },
});
