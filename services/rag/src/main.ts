import path from "node:path";
import { loadEnvOrExit, ZRagEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter, internalAuthFrom, serve, serverLimits } from "@dogi/trpc";
import { createRagApp } from "./app.ts";
import { chromaHeartbeatCheck } from "./chroma-health.ts";
import { createEmbedder } from "./embed/create-embedder.ts";
import { IngestJobQueue } from "./jobs/ingest-jobs.ts";
import { KnowledgeBase } from "./kb/knowledge-base.ts";
import { OriginalStore } from "./kb/originals.ts";
import { KnowledgeBaseRuntime } from "./kb/runtime.ts";
import { defaultCorpusDir } from "./kb/seed-corpus.ts";
import { ChromaStore } from "./store/chroma-store.ts";

const { env, notices } = loadEnvOrExit(ZRagEnv, { service: "rag" });
const logger = createServiceLogger("rag", env);
for (const notice of notices) logger.warn(notice);
if (env.RAG_CHUNK_OVERLAP >= env.RAG_CHUNK_SIZE) {
  logger.fatal("RAG_CHUNK_OVERLAP must be smaller than RAG_CHUNK_SIZE");
  process.exit(1);
}
const embedder = await createEmbedder(env);
const store = new ChromaStore({
  url: env.CHROMA_URL,
  collection: env.RAG_COLLECTION,
  timeoutMs: env.RAG_CHROMA_TIMEOUT_MS,
  embedder,
});
const kb = new KnowledgeBase({
  store,
  embedder,
  chunking: { size: env.RAG_CHUNK_SIZE, overlap: env.RAG_CHUNK_OVERLAP },
  indexSyncMs: env.RAG_INDEX_SYNC_MS,
  onSyncError: (error) =>
    logger.warn({ err: error }, "could not bring the BM25 index in step with the collection"),
});
const corpusDir = env.RAG_CORPUS_DIR ?? defaultCorpusDir;
// Starts in the background: /readyz says "starting" until the index is loaded and the corpus seeded.
const runtime = new KnowledgeBaseRuntime({
  kb,
  logger,
  corpusDir: env.RAG_SEED_CORPUS ? corpusDir : undefined,
  reindex: env.RAG_REINDEX,
});
// Under DATA_DIR, which Compose keeps in rag's volume: replicas of one deployment share it.
const originals = new OriginalStore(path.join(env.DATA_DIR, "rag", "documents"));
const jobs = new IngestJobQueue({ logger });
const health = createHealthReporter({
  service: "rag",
  checks: [
    { name: "chroma", check: chromaHeartbeatCheck(env.CHROMA_URL) },
    { name: "knowledge-base", check: runtime.readinessCheck() },
  ],
});
const app = createRagApp({
  logger,
  health,
  devErrors: env.DOGI_DEV_ERRORS,
  internalAuth: internalAuthFrom(env),
  runtime,
  originals,
  jobs,
  corpusDir,
});

await serve({
  app,
  host: env.SERVICE_HOST,
  port: env.RAG_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  limits: serverLimits(env),
  onShutdown: async () => {
    runtime.stop();
    await embedder.close?.();
  },
});
