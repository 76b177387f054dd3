import path from "node:path";
import type { TRagEnv } from "@dogi/config";
import type { Logger } from "@dogi/logger";
import type { RagDeps } from "./context.ts";
import type { Embedder } from "./embed/embedder.ts";
import type { ChunkOptions } from "./ingest/chunker.ts";
import { IngestJobQueue } from "./jobs/ingest-jobs.ts";
import { KnowledgeBase } from "./kb/knowledge-base.ts";
import { OriginalStore } from "./kb/originals.ts";
import { KnowledgeBaseRuntime } from "./kb/runtime.ts";
import { defaultCorpusDir } from "./kb/seed-corpus.ts";
import { ChromaStore } from "./store/chroma-store.ts";

/** The settings createKnowledgeBase and buildRagDeps need (the RAG_* variables, or a test's choice). */
export interface RagSettings {
  chromaUrl: string;
  collection: string;
  chromaTimeoutMs: number;
  chunking: ChunkOptions;
  /** How often a replica brings its BM25 index in step with the collection (the knowledge base's default otherwise). */
  indexSyncMs?: number;
  /** Where corpus documents are read: to seed them, and again on re-ingest. */
  corpusDir: string;
  /** Whether start-up seeds the corpus documents that changed. */
  seedCorpus: boolean;
  /** Whether start-up re-embeds every chunk. */
  reindex: boolean;
  /** Where uploaded files are kept for re-ingest. */
  documentsDir: string;
  /** Wait between attempts while Chroma is unreachable (the runtime's default otherwise). */
  chromaRetryMs?: number;
}

/** The settings of a running service, from its parsed environment. */
export function settingsFromEnv(env: TRagEnv): RagSettings {
  return {
    chromaUrl: env.CHROMA_URL,
    collection: env.RAG_COLLECTION,
    chromaTimeoutMs: env.RAG_CHROMA_TIMEOUT_MS,
    chunking: { size: env.RAG_CHUNK_SIZE, overlap: env.RAG_CHUNK_OVERLAP },
    indexSyncMs: env.RAG_INDEX_SYNC_MS,
    corpusDir: env.RAG_CORPUS_DIR ?? defaultCorpusDir,
    seedCorpus: env.RAG_SEED_CORPUS,
    reindex: env.RAG_REINDEX,
    // Under DATA_DIR, which Compose keeps in rag's volume: replicas of one deployment share it.
    documentsDir: path.join(env.DATA_DIR, "rag", "documents"),
  };
}

/** The knowledge base over the Chroma collection; not opened yet (its runtime opens it). */
export function createKnowledgeBase(
  embedder: Embedder,
  logger: Logger,
  settings: RagSettings,
): KnowledgeBase {
  const store = new ChromaStore({
    url: settings.chromaUrl,
    collection: settings.collection,
    timeoutMs: settings.chromaTimeoutMs,
    embedder,
  });
  return new KnowledgeBase({
    store,
    embedder,
    chunking: settings.chunking,
    indexSyncMs: settings.indexSyncMs,
    onSyncError: (error) =>
      logger.warn({ err: error }, "could not bring the BM25 index in step with the collection"),
  });
}

/**
 * Wires the procedures' dependencies around a knowledge base. Its runtime starts bringing it up
 * in the background at once: /readyz says "starting" until the index is loaded and the corpus seeded.
 */
export function buildRagDeps(kb: KnowledgeBase, logger: Logger, settings: RagSettings): RagDeps {
  return {
    runtime: new KnowledgeBaseRuntime({
      kb,
      logger,
      corpusDir: settings.seedCorpus ? settings.corpusDir : undefined,
      reindex: settings.reindex,
      retryMs: settings.chromaRetryMs,
    }),
    originals: new OriginalStore(settings.documentsDir),
    jobs: new IngestJobQueue({ logger }),
    corpusDir: settings.corpusDir,
  };
}
