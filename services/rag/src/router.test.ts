import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { freePort, requireServer, startChroma, testCredential } from "@dogi/testing";
import { createServiceClient } from "@dogi/trpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RagRouter } from "./router.ts";
import { minimalPdf } from "./testing/minimal-pdf.ts";
import type { RagTestService } from "./testing/start-rag.ts";
import { errorCode, ragClientAs, startRagOverChroma } from "./testing/over-chroma.ts";
import { startRagService } from "./testing/start-rag.ts";
import type { RagOverChroma } from "./testing/over-chroma.ts";

const gate = requireServer("chroma");

describe.skipIf(gate.skip)(gate.title("rag tRPC procedures over HTTP"), () => {
  let started: RagOverChroma | undefined;
  let rag: RagTestService;
  /** What `dogi ingest` holds (documents), and what the gateway holds (search). */
  let client: ReturnType<typeof ragClientAs>;
  let gateway: ReturnType<typeof ragClientAs>;

  beforeAll(async () => {
    started = await startRagOverChroma([
      "bloat-gdv.en",
      "bloat-gdv.ko",
      "urinary-blockage.en",
      "hairballs.ko",
    ]);
    rag = started.rag;
    client = ragClientAs(rag, "cli");
    gateway = ragClientAs(rag, "gateway");
  });

  afterAll(async () => started?.stop());

  it("searches with citations, filters and a pet profile", async () => {
    const result = await gateway.search.query({ query: "배가 부풀고 헛구역질", limit: 3 });
    expect(result.hits[0]?.citation).toMatchObject({
      documentId: "bloat-gdv.ko",
      title: "위확장-위염전 (고창증)",
    });
    const forCat = await gateway.search.query({
      query: "straining vomiting",
      pet: { species: "cat" },
      limit: 2,
    });
    expect(forCat.hits[0]?.species).not.toBe("dog");
  });

  it("ingests a PDF sent as base64, lists it, counts it and deletes it", async () => {
    const pdf = minimalPdf(
      [["Pumpkin seeds are not a dewormer.", "Ask a vet about parasite control."]],
      "Pumpkin myths",
    );
    const ingested = await client.ingestDocument.mutate({
      fileName: "pumpkin-myths.pdf",
      encoding: "base64",
      content: pdf.toString("base64"),
    });
    expect(ingested).toMatchObject({
      documentId: "pumpkin-myths",
      title: "Pumpkin myths",
      type: "pdf",
      unchanged: false,
    });
    const page = await client.listDocuments.query({ language: "en", limit: 200 });
    expect(page.items.map((doc) => doc.documentId)).toContain("pumpkin-myths");
    const stats = await client.stats.query();
    expect(stats).toMatchObject({
      collection: "vet_medical_data",
      documents: 5,
      embedder: { name: "hashed-ngram-v2-384", dimension: 384 },
    });
    const hit = await gateway.search.query({ query: "pumpkin seeds dewormer", limit: 1 });
    expect(hit.hits[0]?.citation.documentId).toBe("pumpkin-myths");
    expect(await client.deleteDocument.mutate({ documentId: "pumpkin-myths" })).toEqual({
      documentId: "pumpkin-myths",
      deletedChunks: 1,
    });
    expect((await client.stats.query()).documents).toBe(4);
  });

  it("pages through documents with a cursor", async () => {
    const first = await client.listDocuments.query({ limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await client.listDocuments.query({
      limit: 3,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.items.map((doc) => doc.documentId)).toEqual(["urinary-blockage.en"]);
    expect(second.nextCursor).toBeNull();
  });

  it("answers bad input with BAD_REQUEST and a message naming the file", async () => {
    const empty = await client.ingestDocument
      .mutate({ fileName: "empty.md", content: "" })
      .catch((error: unknown) => error);
    expect(errorCode(empty)).toBe("BAD_REQUEST");
    expect((empty as Error).message).toMatch(/empty\.md: the file is empty/);
    const notBase64 = await client.ingestDocument
      .mutate({ fileName: "a.pdf", encoding: "base64", content: "%%%" })
      .catch((error: unknown) => error);
    expect((notBase64 as Error).message).toMatch(/not valid base64/);
    const badId = await client.deleteDocument
      .mutate({ documentId: "../etc" })
      .catch((error: unknown) => error);
    expect(errorCode(badId)).toBe("VALIDATION_FAILED");
  });

  it("refuses ingest and delete while a backup pauses writes, and takes them again on resume", async () => {
    const { pauseId } = await client.maintenance.pauseWrites.mutate({ holdMs: 30_000 });
    const refused = await client.ingestDocument
      .mutate({ fileName: "paused.md", content: "# Paused\n\nWritten during a backup." })
      .catch((error: unknown) => error);
    expect(errorCode(refused)).toBe("OVERLOADED");
    expect((refused as Error).message).toMatch(/^backup in progress: .*retry then$/);
    const deleteRefused = await client.deleteDocument
      .mutate({ documentId: "hairballs.ko" })
      .catch((error: unknown) => error);
    expect(errorCode(deleteRefused)).toBe("OVERLOADED");
    // Reads go on meanwhile.
    expect((await client.stats.query()).documents).toBeGreaterThan(0);
    const before = (await client.listDocuments.query({ limit: 200 })).items.map(
      (d) => d.documentId,
    );
    expect(before).toContain("hairballs.ko");
    expect(before).not.toContain("paused");

    expect(await client.maintenance.resumeWrites.mutate({ pauseId })).toEqual({
      heldThroughout: true,
    });
    const ingested = await client.ingestDocument.mutate({
      fileName: "paused.md",
      content: "# Paused\n\nWritten after the backup.",
    });
    expect(ingested.documentId).toBe("paused");
    await client.deleteDocument.mutate({ documentId: "paused" });
  });
});

describe.skipIf(gate.skip)(gate.title("rag when Chroma is down or slow"), () => {
  let hanging: Server;
  let hangingPort: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never answers: a Chroma that hangs.
    hanging = createServer((socket) => {
      sockets.add(socket);
    });
    hangingPort = await freePort();
    await new Promise<void>((resolve) => hanging.listen(hangingPort, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
  });

  it("search answers UPSTREAM_UNAVAILABLE within 2 seconds when Chroma stops answering", async () => {
    const chroma = await startChroma();
    const rag = await startRagService({ chromaUrl: chroma.url });
    try {
      const client = createServiceClient<RagRouter>({
        url: rag.url,
        timeoutMs: 10_000,
        credential: testCredential("rag", "gateway"),
      });
      await client.search.query({ query: "bloat" });
      await chroma.stop();
      const started = Date.now();
      const error = await client.search
        .query({ query: "bloat" })
        .catch((caught: unknown) => caught);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(errorCode(error)).toBe("UPSTREAM_UNAVAILABLE");
      expect((error as Error).message).toMatch(/Chroma/);
    } finally {
      await rag.stop();
      await chroma.stop();
    }
  });

  it("a hanging Chroma: not ready, and procedures answer UPSTREAM_UNAVAILABLE quickly", async () => {
    const rag = await startRagService({
      chromaUrl: `http://127.0.0.1:${hangingPort}`,
      chromaTimeoutMs: 500,
      waitUntilReady: false,
    });
    try {
      const ready = await fetch(`${rag.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { dependencies: Array<{ name: string; ok: boolean }> };
      expect(body.dependencies.find((dep) => dep.name === "knowledge-base")?.ok).toBe(false);
      const client = createServiceClient<RagRouter>({
        url: rag.url,
        timeoutMs: 10_000,
        credential: testCredential("rag", "gateway"),
      });
      const started = Date.now();
      const error = await client.search
        .query({ query: "bloat" })
        .catch((caught: unknown) => caught);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(errorCode(error)).toBe("UPSTREAM_UNAVAILABLE");
      // An upload is refused at once too, rather than queued to fail later.
      const upload = await client.jobs.enqueue
        .mutate({ fileName: "early.md", content: Buffer.from("# Early").toString("base64") })
        .catch((caught: unknown) => caught);
      expect(errorCode(upload)).toBe("UPSTREAM_UNAVAILABLE");
      expect(rag.jobs.list()).toEqual([]);
    } finally {
      await rag.stop();
    }
  });
});
