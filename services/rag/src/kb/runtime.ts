import type { Logger } from "@dogi/logger";
import type { ReadinessCheck } from "@dogi/trpc";
import { AppError } from "@dogi/trpc";
import type { KnowledgeBase } from "./knowledge-base.ts";
import { seedCorpus } from "./seed-corpus.ts";

type State =
  | { phase: "starting"; detail: string }
  | { phase: "ready"; detail?: string }
  | { phase: "failed"; detail: string };

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
 * down), rebuild the BM25 index, seed the corpus if it changed. Until then procedures answer
 * UPSTREAM_UNAVAILABLE and readiness reports what is happening. When the chunks hold another
 * embedder's vectors, the knowledge base is ready at once for keyword searches while they are
 * re-embedded behind it; the corpus is seeded after that.
 */
export class KnowledgeBaseRuntime {
  private state: State = { phase: "starting", detail: "opening the collection" };
  private stopped = false;
  private readonly stopping = new AbortController();
  private readonly startedPromise: Promise<void>;
  private background: Promise<void> = Promise.resolve();

  constructor(private readonly options: RuntimeOptions) {
    this.startedPromise = this.run();
  }

  /** Resolves when the runtime is ready (perhaps still re-embedding) or has failed for good. */
  get started(): Promise<void> {
    return this.startedPromise;
  }

  /** Resolves when start-up and any re-embedding and seeding behind it are over. */
  get settled(): Promise<void> {
    return this.startedPromise.then(() => this.background);
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
          ? {
              name: "knowledge-base",
              ok: true,
              detail: [`${this.options.kb.index.size} chunks`, this.state.detail]
                .filter(Boolean)
                .join("; "),
            }
          : { name: "knowledge-base", ok: false, detail: this.state.detail },
      );
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
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
        const previous = kb.store.reembeddingFrom();
        if (previous !== undefined) {
          this.state = { phase: "ready", detail: `re-embedding with ${kb.embedder.name}` };
          this.background = this.reembedThenSeed(previous.name);
          return;
        }
        await this.seed((detail) => (this.state = { phase: "starting", detail }));
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
        logger.error({ err: error }, `knowledge base failed to start: ${message}`);
        return;
      }
    }
  }

  private async seed(report: (detail: string) => void): Promise<void> {
    const { kb, logger, corpusDir } = this.options;
    if (corpusDir === undefined) return;
    report("seeding the corpus");
    const seeded = await seedCorpus({
      kb,
      dir: corpusDir,
      logger,
      onProgress: (done, total) => report(`seeding the corpus (${done}/${total})`),
    });
    logger.info(seeded, seeded.skipped ? "corpus unchanged" : "corpus seeded");
  }

  /**
   * Re-embeds the chunks behind a ready knowledge base (keyword searches meanwhile), retrying while
   * Chroma is unreachable, then seeds the corpus. A failure leaves keyword search working and says so.
   */
  private async reembedThenSeed(previous: string): Promise<void> {
    const { kb, logger } = this.options;
    const report = (detail: string): void => {
      if (this.state.phase === "ready") this.state = { phase: "ready", detail };
    };
    logger.warn(
      { chunks: kb.index.size, stored: previous, embedder: kb.embedder.name },
      "the chunks hold another embedder's vectors; re-embedding them in the background (keyword search meanwhile)",
    );
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        const reembedded = await kb.reembed({
          signal: this.stopping.signal,
          onProgress: (done, total) =>
            report(
              `re-embedding with ${kb.embedder.name} (${done}/${total}); keyword search meanwhile`,
            ),
        });
        logger.info({ chunks: reembedded, embedder: kb.embedder.name }, "chunks re-embedded");
        await this.seed(report);
        report("");
        return;
      } catch (error) {
        if (this.stopped) return;
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof AppError && error.appCode === "UPSTREAM_UNAVAILABLE") {
          if (attempt === 1 || attempt % 10 === 0)
            logger.warn({ attempt }, `re-embedding: ${message}; retrying`);
          await new Promise((resolve) =>
            setTimeout(resolve, this.options.retryMs ?? 2_000).unref(),
          );
          continue;
        }
        report(`re-embedding failed (${message}); keyword search only until the next start`);
        logger.error({ err: error }, `re-embedding failed: ${message}`);
        return;
      }
    }
  }
}
