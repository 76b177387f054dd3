import type { Logger } from "@dogi/logger";
import type { ReadinessCheck } from "@dogi/trpc";
import { AppError } from "@dogi/trpc";
import type { KnowledgeBase } from "./knowledge-base.ts";
import { seedCorpus } from "./seed-corpus.ts";
import { EmbedderMismatchError } from "../store/chroma-store.ts";

type State =
  { phase: "starting"; detail: string } | { phase: "ready" } | { phase: "failed"; detail: string };

export interface RuntimeOptions {
  kb: KnowledgeBase;
  logger: Logger;
  /** Corpus folder to seed from, or undefined to skip seeding. */
  corpusDir: string | undefined;
  reindex: boolean;
  /** Wait between attempts while Chroma is unreachable. */
  retryMs?: number;
}

/**
 * Brings the knowledge base up in the background: open the collection (retrying while Chroma is
 * down), rebuild the BM25 index, re-embed the chunks if they hold another version of the
 * embedder's vectors, seed the corpus if it changed. Until then procedures answer
 * UPSTREAM_UNAVAILABLE and readiness reports what is happening.
 */
export class KnowledgeBaseRuntime {
  private state: State = { phase: "starting", detail: "opening the collection" };
  private stopped = false;
  private readonly startedPromise: Promise<void>;

  constructor(private readonly options: RuntimeOptions) {
    this.startedPromise = this.run();
  }

  /** Resolves when the runtime is ready or has failed for good. */
  get started(): Promise<void> {
    return this.startedPromise;
  }

  /** The knowledge base, or UPSTREAM_UNAVAILABLE while it starts or after it failed. */
  ready(): KnowledgeBase {
    if (this.state.phase === "ready") return this.options.kb;
    const detail = this.state.detail;
    throw new AppError(
      "UPSTREAM_UNAVAILABLE",
      this.state.phase === "starting"
        ? `the knowledge base is starting (${detail})`
        : `the knowledge base failed to start: ${detail}`,
    );
  }

  /** Readiness of the knowledge base itself (Chroma's heartbeat is a separate check). */
  readinessCheck(): ReadinessCheck {
    return () =>
      Promise.resolve(
        this.state.phase === "ready"
          ? { name: "knowledge-base", ok: true, detail: `${this.options.kb.index.size} chunks` }
          : { name: "knowledge-base", ok: false, detail: this.state.detail },
      );
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    const { kb, logger } = this.options;
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        this.state = { phase: "starting", detail: "opening the collection" };
        await kb.store.open({ reindex: this.options.reindex && attempt === 1 });
        this.state = { phase: "starting", detail: "loading the BM25 index" };
        const chunks = await kb.load();
        logger.info({ chunks, embedder: kb.embedder.name }, "knowledge base loaded");
        const outdated = kb.store.outdatedEmbedder();
        if (outdated !== undefined) {
          logger.warn(
            { chunks, stored: outdated.name, embedder: kb.embedder.name },
            "the collection holds vectors of another version of the embedder; re-embedding its chunks",
          );
          this.state = { phase: "starting", detail: "re-embedding the chunks" };
          const reembedded = await kb.reembedOutdated((done, total) => {
            this.state = {
              phase: "starting",
              detail: `re-embedding the chunks (${done}/${total})`,
            };
          });
          logger.info({ chunks: reembedded, embedder: kb.embedder.name }, "chunks re-embedded");
        }
        if (this.options.corpusDir !== undefined) {
          this.state = { phase: "starting", detail: "seeding the corpus" };
          const seeded = await seedCorpus({
            kb,
            dir: this.options.corpusDir,
            logger,
            onProgress: (done, total) => {
              this.state = { phase: "starting", detail: `seeding the corpus (${done}/${total})` };
            },
          });
          logger.info(seeded, seeded.skipped ? "corpus unchanged" : "corpus seeded");
        }
        this.state = { phase: "ready" };
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof AppError && error.appCode === "UPSTREAM_UNAVAILABLE") {
          this.state = { phase: "starting", detail: `waiting for Chroma: ${message}` };
          if (attempt === 1 || attempt % 10 === 0)
            logger.warn({ attempt }, `knowledge base start: ${message}; retrying`);
          await new Promise((resolve) =>
            setTimeout(resolve, this.options.retryMs ?? 2_000).unref(),
          );
          continue;
        }
        this.state = { phase: "failed", detail: message };
        logger.error(
          { err: error instanceof EmbedderMismatchError ? undefined : error },
          `knowledge base failed to start: ${message}`,
        );
        return;
      }
    }
  }
}
