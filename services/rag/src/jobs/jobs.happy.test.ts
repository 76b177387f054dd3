import { requireServer } from "@dogi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { minimalPdf } from "../testing/minimal-pdf.ts";
import type { RagTestService } from "../testing/start-rag.ts";
import { ragClientAs, startRagOverChroma } from "../testing/over-chroma.ts";
import type { RagOverChroma } from "../testing/over-chroma.ts";

const gate = requireServer("chroma");

/** A plain-text file of about `megabytes` MB: numbered paragraphs of prose, thousands of chunks. */
function bigText(megabytes: number): Buffer {
  const paragraphs: string[] = [];
  let length = 0;
  for (let i = 0; length < megabytes * 1024 * 1024; i += 1) {
    const paragraph = `Observation ${i}: the kennel log records appetite, water intake and activity for boarder ${i}. Staff noted a calm night and normal stools; the next check is due in the morning.`;
    paragraphs.push(paragraph);
    length += paragraph.length + 2;
  }
  return Buffer.from(paragraphs.join("\n\n"));
}

describe.skipIf(gate.skip)(gate.title("rag ingest jobs and re-ingest over HTTP"), () => {
  let started: RagOverChroma | undefined;
  let rag: RagTestService;
  /** The gateway, as the admin area's knowledge base screen calls rag. */
  let gateway: ReturnType<typeof ragClientAs>;

  beforeAll(async () => {
    started = await startRagOverChroma(["bloat-gdv.en", "hairballs.ko"]);
    rag = started.rag;
    gateway = ragClientAs(rag, "gateway", 30_000);
  });

  afterAll(async () => started?.stop());

  it("answers an upload as queued, ingests it in the background and keeps the original", async () => {
    const pdf = minimalPdf([["Pumpkin seeds are not a dewormer."]], "Pumpkin myths");
    const queued = await gateway.jobs.enqueue.mutate({
      fileName: "pumpkin-myths.pdf",
      content: pdf.toString("base64"),
      source: "Clinic handout",
    });
    expect(queued).toMatchObject({
      kind: "upload",
      fileName: "pumpkin-myths.pdf",
      bytes: pdf.byteLength,
      state: "queued",
      result: null,
      error: null,
      finishedAt: null,
    });
    await rag.jobs.idle();
    const done = await gateway.jobs.get.query({ jobId: queued.jobId });
    expect(done).toMatchObject({
      state: "done",
      error: null,
      result: { documentId: "pumpkin-myths", type: "pdf", unchanged: false },
    });
    expect(Date.parse(done.finishedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(done.createdAt));
    const hit = await gateway.search.query({ query: "pumpkin seeds dewormer", limit: 1 });
    expect(hit.hits[0]?.citation).toMatchObject({
      documentId: "pumpkin-myths",
      source: "Clinic handout",
    });
    const kept = await rag.originals.read("pumpkin-myths");
    expect(kept?.bytes.equals(pdf)).toBe(true);
    expect(kept?.meta).toMatchObject({ fileName: "pumpkin-myths.pdf", source: "Clinic handout" });
  });

  it("lists jobs newest first", async () => {
    const first = await gateway.jobs.enqueue.mutate({
      fileName: "first-note.md",
      content: Buffer.from("# First note\n\nThe first of two notes.").toString("base64"),
    });
    const second = await gateway.jobs.enqueue.mutate({
      fileName: "second-note.md",
      content: Buffer.from("# Second note\n\nThe second of two notes.").toString("base64"),
    });
    await rag.jobs.idle();
    const { jobs } = await gateway.jobs.list.query();
    expect(jobs.slice(0, 2).map((job) => job.jobId)).toEqual([second.jobId, first.jobId]);
    expect(jobs.slice(0, 2).map((job) => job.state)).toEqual(["done", "done"]);
  });

  it("re-ingests an upload from its kept original, and a seeded document from its corpus file", async () => {
    await gateway.jobs.enqueue.mutate({
      fileName: "Tick Check.md",
      content: Buffer.from("# Tick check\n\nRun a hand over the coat after walks.").toString(
        "base64",
      ),
    });
    await rag.jobs.idle();
    const before = rag.kb.documents().find((doc) => doc.documentId === "tick-check");
    const again = await gateway.reingest.mutate({ documentId: "tick-check" });
    expect(again).toMatchObject({ kind: "reingest", fileName: "Tick Check.md", state: "queued" });
    await rag.jobs.idle();
    // The same bytes through the same pipeline: the same chunks, nothing rewritten.
    expect(await gateway.jobs.get.query({ jobId: again.jobId })).toMatchObject({
      state: "done",
      result: { documentId: "tick-check", unchanged: true, added: 0, removed: 0 },
    });
    expect(rag.kb.documents().find((doc) => doc.documentId === "tick-check")).toEqual(before);

    const corpus = await gateway.reingest.mutate({ documentId: "bloat-gdv.en" });
    expect(corpus.fileName).toBe("bloat-gdv.en.md");
    await rag.jobs.idle();
    expect(await gateway.jobs.get.query({ jobId: corpus.jobId })).toMatchObject({
      state: "done",
      result: { documentId: "bloat-gdv.en", unchanged: true },
    });
    expect(rag.kb.documents().find((doc) => doc.documentId === "bloat-gdv.en")).toMatchObject({
      fromCorpus: true,
      source: "corpus/bloat-gdv.en.md",
    });
  });

  it("re-ingest applies the current pipeline: a document stored with other chunks gets the pipeline's own", async () => {
    // Stored by an older pipeline (here: other chunk sizes), with its original kept.
    const bytes = Buffer.from(
      `# Nail trims\n\n${"Trim a little at a time and stop short of the quick. ".repeat(60)}`,
    );
    const old = await rag.kb.ingest({ fileName: "nail-trims.md", bytes });
    await rag.originals.save(old.documentId, { fileName: "nail-trims.md", bytes });
    const stale = [...rag.kb.index.records()].filter((r) => r.documentId === "nail-trims");
    await rag.kb.store.delete(stale.slice(1).map((r) => r.id));
    await rag.kb.load();
    expect(rag.kb.documents().find((doc) => doc.documentId === "nail-trims")?.chunks).toBe(1);

    const job = await gateway.reingest.mutate({ documentId: "nail-trims" });
    await rag.jobs.idle();
    expect(await gateway.jobs.get.query({ jobId: job.jobId })).toMatchObject({
      state: "done",
      result: { unchanged: false, chunks: old.chunks, added: old.chunks - 1, removed: 0 },
    });
    expect(rag.kb.documents().find((doc) => doc.documentId === "nail-trims")?.chunks).toBe(
      old.chunks,
    );
  });

  it("deleting a document removes its kept original", async () => {
    await gateway.jobs.enqueue.mutate({
      fileName: "short-lived.md",
      content: Buffer.from("# Short lived\n\nDeleted right away.").toString("base64"),
    });
    await rag.jobs.idle();
    expect(await rag.originals.read("short-lived")).toBeDefined();
    await gateway.deleteDocument.mutate({ documentId: "short-lived" });
    expect(await rag.originals.read("short-lived")).toBeUndefined();
    expect(rag.kb.documents().map((doc) => doc.documentId)).not.toContain("short-lived");
  });

  it("keeps answering searches while a multi-megabyte ingest job runs", async () => {
    const big = bigText(3);
    const job = await gateway.jobs.enqueue.mutate({
      fileName: "kennel-log.txt",
      content: big.toString("base64"),
    });
    const finished: string[] = [];
    const jobDone = rag.jobs.idle().then(() => finished.push("job"));
    while (rag.jobs.get(job.jobId).state === "queued")
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(rag.jobs.get(job.jobId).state).toBe("running");
    // Started while the job runs; each must finish before the job does.
    for (const query of ["bloat retching", "hairball", "dewormer"]) {
      const result = await gateway.search.query({ query, limit: 3 });
      expect(result.hits.length).toBeGreaterThan(0);
      finished.push(query);
    }
    await jobDone;
    expect(finished).toEqual(["bloat retching", "hairball", "dewormer", "job"]);
    const done = await gateway.jobs.get.query({ jobId: job.jobId });
    expect(done.state).toBe("done");
    expect(done.result?.chunks).toBeGreaterThan(1_000);
    const hit = await gateway.search.query({ query: "boarder 4321 kennel log", mode: "bm25" });
    expect(hit.hits[0]?.citation.documentId).toBe("kennel-log");
  }, 120_000);
});
