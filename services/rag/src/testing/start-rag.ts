import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger } from "@dogi/logger";
import { testInternalAuth } from "@dogi/testing";
import { createHealthReporter } from "@dogi/trpc";
import { createRagApp } from "../app.ts";
import { chromaHeartbeatCheck } from "../chroma-health.ts";
import { buildRagDeps, createKnowledgeBase } from "../build-deps.ts";
import type { RagSettings } from "../build-deps.ts";
import { HashedNgramEmbedder } from "../embed/hashed.ts";
import type { IngestJobQueue } from "../jobs/ingest-jobs.ts";
import type { KnowledgeBase } from "../kb/knowledge-base.ts";
import type { OriginalStore } from "../kb/originals.ts";
import type { KnowledgeBaseRuntime } from "../kb/runtime.ts";
import { defaultCorpusDir } from "../kb/seed-corpus.ts";

/** A rag service listening on a free port of 127.0.0.1, for tests of its HTTP API and of its callers. */
export interface RagTestService {
  url: string;
  runtime: KnowledgeBaseRuntime;
  kb: KnowledgeBase;
  originals: OriginalStore;
  jobs: IngestJobQueue;
  stop(): Promise<void>;
}

/**
 * Starts the rag app in this process on `chromaUrl`; `corpusDir` seeds it (default: no seeding).
 * Originals are kept in `documentsDir`, by default a temporary folder removed on stop.
 */
export async function startRagService(options: {
  chromaUrl: string;
  collection?: string;
  corpusDir?: string;
  chromaTimeoutMs?: number;
  /** RAG_INDEX_SYNC_MS (default 2 s). */
  indexSyncMs?: number;
  waitUntilReady?: boolean;
  documentsDir?: string;
}): Promise<RagTestService> {
  const logger = createLogger({ service: "rag", level: "silent" });
  const documentsDir =
    options.documentsDir ?? (await mkdtemp(path.join(tmpdir(), "dogi-rag-documents-")));
  const settings: RagSettings = {
    chromaUrl: options.chromaUrl,
    collection: options.collection ?? "vet_medical_data",
    chromaTimeoutMs: options.chromaTimeoutMs ?? 2_000,
    chunking: { size: 800, overlap: 120 },
    indexSyncMs: options.indexSyncMs,
    corpusDir: options.corpusDir ?? defaultCorpusDir,
    seedCorpus: options.corpusDir !== undefined,
    reindex: false,
    documentsDir,
    chromaRetryMs: 200,
  };
  const kb = createKnowledgeBase(new HashedNgramEmbedder(), logger, settings);
  const deps = buildRagDeps(kb, logger, settings);
  const { runtime, originals, jobs } = deps;
  if (options.waitUntilReady ?? true) await runtime.started;
  const health = createHealthReporter({
    service: "rag",
    checks: [
      { name: "chroma", check: chromaHeartbeatCheck(options.chromaUrl) },
      { name: "knowledge-base", check: runtime.readinessCheck() },
    ],
  });
  const app = createRagApp({
    logger,
    health,
    devErrors: false,
    internalAuth: testInternalAuth,
    deps,
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    kb,
    originals,
    jobs,
    stop: async () => {
      runtime.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // A job still running would write into the folder being removed.
      await jobs.idle();
      if (options.documentsDir === undefined)
        await rm(documentsDir, { recursive: true, force: true });
    },
  };
}
