import type { TIngestDocumentResponse } from "@dogi/contracts";
import { createLogger } from "@dogi/logger";
import { AppError } from "@dogi/trpc";
import { describe, expect, it } from "vitest";
import { IngestJobQueue } from "./ingest-jobs.ts";

const logger = createLogger({ service: "rag", level: "silent" });

function resultFor(documentId: string): TIngestDocumentResponse {
  return {
    documentId,
    title: documentId,
    type: "text",
    chunks: 1,
    added: 1,
    removed: 0,
    unchanged: false,
  };
}

/** A job's work that finishes when the test says so. */
function gated(documentId: string) {
  let finish: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (finish = resolve));
  let started = false;
  return {
    get started() {
      return started;
    },
    finish,
    run: async () => {
      started = true;
      await released;
      return resultFor(documentId);
    },
  };
}

describe("IngestJobQueue", () => {
  it("answers a queued job at once and runs the jobs one at a time, in order", async () => {
    const queue = new IngestJobQueue({ logger });
    const first = gated("first");
    const second = gated("second");
    const a = queue.enqueue({ kind: "upload", fileName: "first.md", bytes: 5, run: first.run });
    const b = queue.enqueue({ kind: "upload", fileName: "second.md", bytes: 6, run: second.run });
    expect(a).toMatchObject({ state: "queued", fileName: "first.md", bytes: 5, result: null });
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.get(a.jobId).state).toBe("running");
    expect(queue.get(b.jobId).state).toBe("queued");
    expect(second.started).toBe(false);
    first.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.get(a.jobId)).toMatchObject({ state: "done", result: resultFor("first") });
    expect(queue.get(a.jobId).finishedAt).not.toBeNull();
    expect(second.started).toBe(true);
    second.finish();
    await queue.idle();
    expect(queue.list().map((job) => job.fileName)).toEqual(["second.md", "first.md"]);
  });

  it("records a failure naming the file, and goes on with the next job", async () => {
    const queue = new IngestJobQueue({ logger });
    const refused = queue.enqueue({
      kind: "upload",
      fileName: "scan.pdf",
      bytes: 3,
      run: () => Promise.reject(new AppError("BAD_REQUEST", "scan.pdf: not a PDF file")),
    });
    const unexpected = queue.enqueue({
      kind: "reingest",
      fileName: "notes.md",
      bytes: 3,
      run: () => Promise.reject(new Error("socket hang up at 10.0.0.7")),
    });
    const next = queue.enqueue({
      kind: "upload",
      fileName: "ok.md",
      bytes: 3,
      run: () => Promise.resolve(resultFor("ok")),
    });
    await queue.idle();
    expect(queue.get(refused.jobId)).toMatchObject({
      state: "failed",
      error: "scan.pdf: not a PDF file",
      result: null,
    });
    // An unexpected error's own message (addresses, paths) stays in the log.
    expect(queue.get(unexpected.jobId).error).toBe("notes.md: internal error (see the rag log)");
    expect(queue.get(next.jobId).state).toBe("done");
  });

  it("keeps the newest finished jobs only, and forgets the rest", async () => {
    const queue = new IngestJobQueue({ logger, keep: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const job = queue.enqueue({
        kind: "upload",
        fileName: `${i}.md`,
        bytes: 1,
        run: () => Promise.resolve(resultFor(`d${i}`)),
      });
      ids.push(job.jobId);
      await queue.idle();
    }
    expect(queue.list().map((job) => job.fileName)).toEqual(["4.md", "3.md", "2.md"]);
    const forgotten = (() => {
      try {
        return queue.get(ids[0] ?? "");
      } catch (error) {
        return error;
      }
    })();
    expect(forgotten).toBeInstanceOf(AppError);
    expect((forgotten as AppError).appCode).toBe("NOT_FOUND");
  });

  it("never forgets a job still waiting, and refuses more than maxWaiting with OVERLOADED", async () => {
    const queue = new IngestJobQueue({ logger, keep: 1, maxWaiting: 2 });
    const running = gated("running");
    const waiting = [gated("w1"), gated("w2")];
    const first = queue.enqueue({ kind: "upload", fileName: "r.md", bytes: 1, run: running.run });
    await new Promise((resolve) => setImmediate(resolve));
    const queued = waiting.map((work, i) =>
      queue.enqueue({ kind: "upload", fileName: `w${i}.md`, bytes: 1, run: work.run }),
    );
    expect(() =>
      queue.enqueue({ kind: "upload", fileName: "more.md", bytes: 1, run: running.run }),
    ).toThrow(/2 ingest jobs are waiting already/);
    // keep is 1, but none of the three has finished: all still answer.
    expect(queue.list()).toHaveLength(3);
    expect(queue.get(first.jobId).state).toBe("running");
    running.finish();
    for (const work of waiting) work.finish();
    await queue.idle();
    expect(queue.list().map((job) => job.jobId)).toEqual([queued[1]?.jobId]);
  });

  it("hands out copies: changing an answer does not change the job", () => {
    const queue = new IngestJobQueue({ logger });
    const job = queue.enqueue({
      kind: "upload",
      fileName: "a.md",
      bytes: 1,
      run: () => Promise.resolve(resultFor("a")),
    });
    job.state = "failed";
    expect(queue.get(job.jobId).state).not.toBe("failed");
  });
});
