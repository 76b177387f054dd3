import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { requireServer, startChroma, testCredential } from "@dogi/testing";
import type { ChromaServer } from "@dogi/testing";
import { createServiceClient } from "@dogi/trpc";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RagRouter } from "./router.ts";
import type { ChunkRecord } from "./search/chunk-record.ts";
import { ingestCorpusDocs } from "./testing/kb-fixture.ts";
import type { RagTestService } from "./testing/start-rag.ts";
import { startRagService } from "./testing/start-rag.ts";

const gate = requireServer("chroma");

type RagClient = ReturnType<typeof createServiceClient<RagRouter>>;

function clientOf(rag: RagTestService, caller: "cli" | "gateway"): RagClient {
  return createServiceClient<RagRouter>({
    url: rag.url,
    timeoutMs: 10_000,
    credential: testCredential("rag", caller),
  });
}

/** A Markdown document whose one rare word (`token`) only BM25 can match exactly. */
function note(documentId: string, token: string): { fileName: string; content: string } {
  return {
    fileName: `${documentId}.md`,
    content: `---\nid: ${documentId}\ntitle: Clinic note ${documentId}\nspecies: dog\nlanguage: en\n---\n\n# Clinic note\n\nThe owner mentioned ${token} twice during the visit. Keep the dog rested and offer water.\n`,
  };
}

/** Documents of the BM25 side alone (mode bm25: no vectors involved). */
async function keywordHits(client: RagClient, query: string): Promise<string[]> {
  const { hits } = await client.search.query({ query, mode: "bm25", limit: 5 });
  return hits.map((hit) => hit.citation.documentId);
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 8_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(gate.skip)(gate.title("two rag replicas on one Chroma collection"), () => {
  let chroma: ChromaServer;
  let a: RagTestService;
  let b: RagTestService;
  let cliA: RagClient;
  let cliB: RagClient;
  let gatewayB: RagClient;
  /** One DATA_DIR/rag/documents for both, as Compose's shared volume gives them. */
  let documentsDir: string;

  beforeAll(async () => {
    chroma = await startChroma();
    documentsDir = await mkdtemp(path.join(tmpdir(), "dogi-rag-replicas-"));
    a = await startRagService({ chromaUrl: chroma.url, indexSyncMs: 100, documentsDir });
    b = await startRagService({ chromaUrl: chroma.url, indexSyncMs: 100, documentsDir });
    await ingestCorpusDocs(a.kb, ["chocolate.en", "lilies.en", "kennel-cough.en"]);
    cliA = clientOf(a, "cli");
    cliB = clientOf(b, "cli");
    gatewayB = clientOf(b, "gateway");
  });

  afterAll(async () => {
    await a.stop();
    await b.stop();
    await chroma.stop();
    await rm(documentsDir, { recursive: true, force: true });
  });

  it("a document ingested through one replica is found by keyword through the other, and gone after its deletion", async () => {
    expect(await keywordHits(gatewayB, "quillbramble")).toEqual([]);
    await cliA.ingestDocument.mutate(note("note-quillbramble", "quillbramble"));

    await eventually(
      async () => (await keywordHits(gatewayB, "quillbramble"))[0] === "note-quillbramble",
      "replica B's BM25 finds the document ingested through A",
    );
    const listed = await cliB.listDocuments.query({ limit: 200 });
    expect(listed.items.map((doc) => doc.documentId)).toContain("note-quillbramble");

    await cliA.deleteDocument.mutate({ documentId: "note-quillbramble" });
    await eventually(
      async () => (await keywordHits(gatewayB, "quillbramble")).length === 0,
      "replica B's BM25 no longer finds the document deleted through A",
    );
    const hybrid = await gatewayB.search.query({ query: "quillbramble", limit: 5 });
    expect(hybrid.hits.map((hit) => hit.citation.documentId)).not.toContain("note-quillbramble");
    // The corpus documents A ingested before B started its index were found all along.
    expect(await keywordHits(gatewayB, "lily")).toContain("lilies.en");
  });

  it("searches go on with the old index while a rebuild runs, and a write made during it survives the swap", async () => {
    await b.kb.sync.settled();
    // B's rebuild reads every page at once, then waits: what is written after that is not in them.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const all = b.kb.store.all.bind(b.kb.store);
    const spy = vi.spyOn(b.kb.store, "all").mockImplementation(async function* () {
      const pages: ChunkRecord[][] = [];
      for await (const page of all()) pages.push(page);
      await held;
      yield* pages;
    });
    try {
      await cliA.ingestDocument.mutate(note("note-fernwhistle", "fernwhistle"));
      await eventually(async () => {
        await keywordHits(gatewayB, "anything");
        return b.kb.sync.busy && spy.mock.calls.length > 0;
      }, "replica B starts a rebuild");

      // The rebuild holds: searches answer at once from the old index.
      for (let i = 0; i < 5; i += 1) {
        const started = performance.now();
        expect(await keywordHits(gatewayB, "fernwhistle")).toEqual([]);
        expect(performance.now() - started).toBeLessThan(1_000);
      }
      expect(b.kb.sync.busy).toBe(true);

      // B writes while its rebuild holds pages read before the write.
      await cliB.ingestDocument.mutate(note("note-mossgrain", "mossgrain"));
      expect(await keywordHits(gatewayB, "mossgrain")).toEqual(["note-mossgrain"]);
    } finally {
      release();
    }
    await b.kb.sync.settled();
    spy.mockRestore();
    // Right after the swap, before any further rebuild: both writes are in the new index.
    expect(b.kb.index.idsOfDocument("note-fernwhistle").length).toBeGreaterThan(0);
    expect(b.kb.index.idsOfDocument("note-mossgrain").length).toBeGreaterThan(0);
    expect(await keywordHits(gatewayB, "mossgrain")).toEqual(["note-mossgrain"]);
  });

  it("an ingest job is known to the replica that took it only; its document and original serve both", async () => {
    const gatewayA = clientOf(a, "gateway");
    const job = await gatewayA.jobs.enqueue.mutate({
      fileName: "note-thistledown.md",
      content: Buffer.from(note("note-thistledown", "thistledown").content).toString("base64"),
    });
    await a.jobs.idle();
    expect((await gatewayA.jobs.get.query({ jobId: job.jobId })).state).toBe("done");
    const elsewhere = await gatewayB.jobs.get
      .query({ jobId: job.jobId })
      .catch((error: unknown) => error);
    expect(elsewhere).toBeInstanceOf(TRPCClientError);
    expect((elsewhere as TRPCClientError<RagRouter>).data?.appCode).toBe("NOT_FOUND");
    expect((await gatewayB.jobs.list.query()).jobs).toEqual([]);

    await eventually(
      async () => (await keywordHits(gatewayB, "thistledown"))[0] === "note-thistledown",
      "replica B finds the document A's job stored",
    );
    // B re-ingests it from the original A kept in the shared folder.
    const again = await gatewayB.reingest.mutate({ documentId: "note-thistledown" });
    await b.jobs.idle();
    expect(await gatewayB.jobs.get.query({ jobId: again.jobId })).toMatchObject({
      state: "done",
      result: { documentId: "note-thistledown", unchanged: true },
    });
  });
});
