import { randomUUID } from "node:crypto";
import type { TIngestDocumentResponse, TIngestJob } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import { SerialQueue } from "@dogi/process";
import { AppError } from "@dogi/trpc";

/** One ingest to run in the background. */
export interface IngestWork {
  kind: TIngestJob["kind"];
  fileName: string;
  bytes: number;
  /** The ingest itself; its error message should name the file. */
  run: () => Promise<TIngestDocumentResponse>;
}

export interface IngestJobQueueOptions {
  logger: Logger;
  /** Jobs remembered, finished ones dropped oldest first (default 100). */
  keep?: number;
  /**
   * Jobs that may wait at once (default 20). Each holds its file's bytes (up to 20 MB) until it
   * runs, so the queue is bounded; more are refused with OVERLOADED.
   */
  maxWaiting?: number;
  now?: () => Date;
}

/**
 * The knowledge base's background ingests: a job answers at once as queued, then the jobs run one
 * at a time in the order they came, so a burst of uploads never embeds several files at once
 * beside the searches. Jobs live in this process's memory only: each replica has its own queue and
 * list, and a restart forgets them (the documents they stored stay).
 */
export class IngestJobQueue {
  /** In creation order (a Map keeps insertion order), so the newest are at the end. */
  private readonly jobs = new Map<string, TIngestJob>();
  private readonly serial = new SerialQueue();
  private waiting = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: IngestJobQueueOptions) {}

  /** Queues `work` and answers the queued job at once. */
  enqueue(work: IngestWork): TIngestJob {
    const maxWaiting = this.options.maxWaiting ?? 20;
    if (this.waiting >= maxWaiting)
      throw new AppError(
        "OVERLOADED",
        `${this.waiting} ingest jobs are waiting already; retry when some have finished`,
        { retryAfterSeconds: 30 },
      );
    const job: TIngestJob = {
      jobId: randomUUID(),
      kind: work.kind,
      fileName: work.fileName,
      bytes: work.bytes,
      state: "queued",
      result: null,
      error: null,
      createdAt: this.now().toISOString(),
      finishedAt: null,
    };
    this.jobs.set(job.jobId, job);
    this.forgetOldest();
    this.waiting += 1;
    this.tail = this.serial.run(() => this.execute(job, work.run));
    return { ...job };
  }

  /** The jobs remembered, newest first. */
  list(): TIngestJob[] {
    return [...this.jobs.values()].reverse().map((job) => ({ ...job }));
  }

  /** One job, or NOT_FOUND (never queued here, or forgotten: see {@link IngestJobQueueOptions.keep}). */
  get(jobId: string): TIngestJob {
    const job = this.jobs.get(jobId);
    if (job === undefined)
      throw new AppError(
        "NOT_FOUND",
        `no ingest job ${JSON.stringify(jobId)} on this replica (jobs are kept in memory, the last ${this.keep} only)`,
      );
    return { ...job };
  }

  /** Resolves when every job queued so far has finished. */
  async idle(): Promise<void> {
    for (let tail = this.tail; ; tail = this.tail) {
      await tail;
      if (tail === this.tail) return;
    }
  }

  private get keep(): number {
    return this.options.keep ?? 100;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Runs one job and records how it ended; never rejects, so the jobs behind it still run. */
  private async execute(job: TIngestJob, run: IngestWork["run"]): Promise<void> {
    this.waiting -= 1;
    job.state = "running";
    const { logger } = this.options;
    try {
      job.result = await run();
      job.state = "done";
      logger.info({ jobId: job.jobId, kind: job.kind, ...job.result }, "ingest job done");
    } catch (error) {
      job.state = "failed";
      job.error = failureMessage(job.fileName, error);
      logger.warn(
        { jobId: job.jobId, kind: job.kind, err: error },
        `ingest job failed: ${job.error}`,
      );
    } finally {
      job.finishedAt = this.now().toISOString();
      this.forgetOldest();
    }
  }

  private forgetOldest(): void {
    let excess = this.jobs.size - this.keep;
    for (const [jobId, job] of this.jobs) {
      if (excess <= 0) return;
      // Waiting and running jobs stay (at most maxWaiting + 1 of them), so their ids keep answering.
      if (job.state !== "done" && job.state !== "failed") continue;
      this.jobs.delete(jobId);
      excess -= 1;
    }
  }
}

/**
 * The error of a failed job, naming the file. The pipeline's own errors already start with the
 * file name; anything unexpected says only "internal error" (the log has the details), as 5xx
 * answers do.
 */
function failureMessage(fileName: string, error: unknown): string {
  const message = error instanceof AppError ? error.message : "internal error (see the rag log)";
  return message.startsWith(`${fileName}:`) ? message : `${fileName}: ${message}`;
}
