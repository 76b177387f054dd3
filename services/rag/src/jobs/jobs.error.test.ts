import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { requireServer } from "@dogi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { minimalPdf } from "../testing/minimal-pdf.ts";
import type { RagTestService } from "../testing/start-rag.ts";
import { errorCode, ragClientAs, startRagOverChroma } from "../testing/over-chroma.ts";
import type { RagOverChroma } from "../testing/over-chroma.ts";

const gate = requireServer("chroma");

describe.skipIf(gate.skip)(gate.title("rag ingest jobs: files and requests refused"), () => {
  let started: RagOverChroma | undefined;
  let rag: RagTestService;
  let gateway: ReturnType<typeof ragClientAs>;

  beforeAll(async () => {
    started = await startRagOverChroma(["bloat-gdv.en", "hairballs.ko"]);
    rag = started.rag;
    gateway = ragClientAs(rag, "gateway");
  });

  afterAll(async () => started?.stop());

  /** What a refused file must leave as it was: every chunk id in Chroma, and the kept originals. */
  async function snapshot() {
    const ids: string[] = [];
    for await (const page of rag.kb.store.all()) ids.push(...page.map((record) => record.id));
    return {
      ids: ids.sort(),
      documents: rag.kb.documents(),
      originals: (await readdir(rag.originals.dir).catch(() => [])).sort(),
    };
  }

  it.each([
    {
      what: "a corrupt PDF",
      fileName: "scan.pdf",
      bytes: minimalPdf([["Half a handout."]]).subarray(0, 120),
      error: /^scan\.pdf: /,
    },
    {
      what: "binary garbage named as text",
      fileName: "notes.md",
      bytes: Buffer.concat([Buffer.from([0, 0, 0xff, 0xfe]), randomBytes(4096)]),
      error: /^notes\.md: (not UTF-8 text|looks like binary data)/,
    },
    {
      what: "an empty file",
      fileName: "empty.txt",
      bytes: Buffer.alloc(0),
      error: /^empty\.txt: the file is empty$/,
    },
    {
      what: "a file of an unsupported type",
      fileName: "photo.jpg",
      bytes: randomBytes(64),
      error: /^photo\.jpg: unsupported file type/,
    },
  ])("fails a job for $what with an error naming the file, changing nothing", async (file) => {
    const before = await snapshot();
    const job = await gateway.jobs.enqueue.mutate({
      fileName: file.fileName,
      content: file.bytes.toString("base64"),
    });
    expect(job.state).toBe("queued");
    await rag.jobs.idle();
    const failed = await gateway.jobs.get.query({ jobId: job.jobId });
    expect(failed).toMatchObject({ state: "failed", result: null });
    expect(failed.error).toMatch(file.error);
    // The pipeline's own reason, not an unexpected failure.
    expect(failed.error).not.toMatch(/internal error/);
    expect(failed.finishedAt).not.toBeNull();
    expect(await snapshot()).toEqual(before);
  });

  it("a corrupt file under a stored document's name leaves that document as it was", async () => {
    await gateway.jobs.enqueue.mutate({
      fileName: "handout.md",
      content: Buffer.from("# Handout\n\nGood first version.").toString("base64"),
    });
    await rag.jobs.idle();
    const before = await snapshot();
    const kept = await rag.originals.read("handout");
    const job = await gateway.jobs.enqueue.mutate({
      fileName: "handout.md",
      content: randomBytes(2048).toString("base64"),
    });
    await rag.jobs.idle();
    expect((await gateway.jobs.get.query({ jobId: job.jobId })).error).toMatch(/^handout\.md: /);
    expect(await snapshot()).toEqual(before);
    expect((await rag.originals.read("handout"))?.bytes).toEqual(kept?.bytes);
  });

  it("refuses content that is not base64 at once, queueing nothing", async () => {
    const jobs = (await gateway.jobs.list.query()).jobs.length;
    const error = await gateway.jobs.enqueue
      .mutate({ fileName: "a.md", content: "%%% not base64 %%%" })
      .catch((caught: unknown) => caught);
    expect(errorCode(error)).toBe("BAD_REQUEST");
    expect((error as Error).message).toMatch(/not valid base64/);
    expect((await gateway.jobs.list.query()).jobs).toHaveLength(jobs);
  });

  it("answers NOT_FOUND for an unknown job and for re-ingest of an unknown document", async () => {
    const job = await gateway.jobs.get
      .query({ jobId: "00000000-0000-4000-8000-000000000000" })
      .catch((caught: unknown) => caught);
    expect(errorCode(job)).toBe("NOT_FOUND");
    const document = await gateway.reingest
      .mutate({ documentId: "never-stored" })
      .catch((caught: unknown) => caught);
    expect(errorCode(document)).toBe("NOT_FOUND");
    expect((document as Error).message).toMatch(/never-stored/);
  });

  it("refuses re-ingest of a document without a kept original, saying to upload it again", async () => {
    // As an older Dogi stored it: chunks in Chroma, no original on disk.
    await rag.kb.ingest({
      fileName: "old-upload.md",
      bytes: Buffer.from("# Old upload\n\nStored before originals were kept."),
    });
    const jobs = (await gateway.jobs.list.query()).jobs.length;
    const error = await gateway.reingest
      .mutate({ documentId: "old-upload" })
      .catch((caught: unknown) => caught);
    expect(errorCode(error)).toBe("BAD_REQUEST");
    expect((error as Error).message).toMatch(/^old-upload has no kept original.*upload it again/);
    expect((await gateway.jobs.list.query()).jobs).toHaveLength(jobs);
  });

  it("a job refused by a backup's pause fails saying so, and the next job after the pause runs", async () => {
    const { pauseId } = await rag.kb.writes.pauseWrites(30_000);
    const paused = await gateway.jobs.enqueue.mutate({
      fileName: "during-backup.md",
      content: Buffer.from("# During backup\n\nWritten while paused.").toString("base64"),
    });
    await rag.jobs.idle();
    expect((await gateway.jobs.get.query({ jobId: paused.jobId })).error).toMatch(
      /^during-backup\.md: backup in progress/,
    );
    rag.kb.writes.resumeWrites(pauseId);
    const after = await gateway.jobs.enqueue.mutate({
      fileName: "during-backup.md",
      content: Buffer.from("# During backup\n\nWritten after the pause.").toString("base64"),
    });
    await rag.jobs.idle();
    expect((await gateway.jobs.get.query({ jobId: after.jobId })).state).toBe("done");
  });
});
