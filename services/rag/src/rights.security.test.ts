import { requireServer } from "@dogi/testing";
import type { ServiceName } from "@dogi/trpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RagTestService } from "./testing/start-rag.ts";
import { errorCode, ragClientAs, startRagOverChroma } from "./testing/over-chroma.ts";
import type { RagOverChroma } from "./testing/over-chroma.ts";

const gate = requireServer("chroma");

describe.skipIf(gate.skip)(gate.title("who may call which rag procedure"), () => {
  let started: RagOverChroma | undefined;
  let rag: RagTestService;
  const clientAs = (caller: ServiceName) => ragClientAs(rag, caller);
  const note = Buffer.from("# Rights\n\nWho may write here.").toString("base64");

  beforeAll(async () => {
    started = await startRagOverChroma();
    rag = started.rag;
  });

  afterAll(async () => started?.stop());

  it("lets the gateway reach the admin area's knowledge base procedures", async () => {
    const gateway = clientAs("gateway");
    const job = await gateway.jobs.enqueue.mutate({ fileName: "rights.md", content: note });
    await rag.jobs.idle();
    expect((await gateway.jobs.get.query({ jobId: job.jobId })).state).toBe("done");
    expect((await gateway.jobs.list.query()).jobs.map((j) => j.jobId)).toContain(job.jobId);
    expect((await gateway.listDocuments.query({})).items.map((d) => d.documentId)).toEqual([
      "rights",
    ]);
    expect((await gateway.stats.query()).documents).toBe(1);
    expect((await gateway.reingest.mutate({ documentId: "rights" })).kind).toBe("reingest");
    await rag.jobs.idle();
    expect(await gateway.deleteDocument.mutate({ documentId: "rights" })).toEqual({
      documentId: "rights",
      deletedChunks: 1,
    });
  });

  it("still refuses the gateway the command line's direct ingest and a backup's pause", async () => {
    const gateway = clientAs("gateway");
    const ingest = await gateway.ingestDocument
      .mutate({ fileName: "direct.md", encoding: "base64", content: note })
      .catch((error: unknown) => error);
    expect(errorCode(ingest)).toBe("FORBIDDEN");
    const pause = await gateway.maintenance.pauseWrites
      .mutate({ holdMs: 1_000 })
      .catch((error: unknown) => error);
    expect(errorCode(pause)).toBe("FORBIDDEN");
    expect(rag.kb.documents()).toEqual([]);
  });

  it.each(["session", "inference", "auth"] as const)(
    "refuses the %s service every write and every job procedure",
    async (caller) => {
      const client = clientAs(caller);
      // Thunks, called one at a time: each must be refused on its own, not as part of a batch.
      const calls: Array<() => Promise<unknown>> = [
        () => client.jobs.enqueue.mutate({ fileName: "intruder.md", content: note }),
        () => client.jobs.list.query(),
        () => client.jobs.get.query({ jobId: "any" }),
        () => client.reingest.mutate({ documentId: "any" }),
        () => client.deleteDocument.mutate({ documentId: "any" }),
        () => client.ingestDocument.mutate({ fileName: "intruder.md", content: "# Intruder" }),
        () => client.listDocuments.query({}),
      ];
      for (const call of calls) {
        const error = await call().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(errorCode(error)).toBe("FORBIDDEN");
      }
      expect(rag.jobs.list().map((job) => job.fileName)).not.toContain("intruder.md");
    },
  );

  it("keeps the command line's rights and gives it no job procedures", async () => {
    const cli = clientAs("cli");
    const ingested = await cli.ingestDocument.mutate({
      fileName: "cli.md",
      content: "# CLI\n\nHi.",
    });
    expect(ingested.documentId).toBe("cli");
    // `dogi ingest` keeps originals too, so its documents can be re-ingested from the admin area.
    expect(await rag.originals.read("cli")).toBeDefined();
    expect((await cli.stats.query()).documents).toBe(1);
    const { pauseId } = await cli.maintenance.pauseWrites.mutate({ holdMs: 1_000 });
    await cli.maintenance.resumeWrites.mutate({ pauseId });
    const jobs = await cli.jobs.list.query().catch((error: unknown) => error);
    expect(errorCode(jobs)).toBe("FORBIDDEN");
    await cli.deleteDocument.mutate({ documentId: "cli" });
    expect(await rag.originals.read("cli")).toBeUndefined();
  });

  it("refuses a call with no credential", async () => {
    const answer = await fetch(`${rag.url}/trpc/jobs.list`);
    expect(answer.status).toBe(401);
  });
});
