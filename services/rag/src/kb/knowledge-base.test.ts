import { readFile } from "node:fs/promises";
import { requireServer } from "@dogi/testing";
import { AppError } from "@dogi/trpc";
import { beforeAll, describe, expect, it } from "vitest";
import { startedForSuite } from "@dogi/testing/suite";
import { HashedNgramEmbedder } from "../embed/hashed.ts";
import { ChromaStore } from "../store/chroma-store.ts";
import { ingestCorpusDocs, openKnowledgeBase, startChroma } from "../testing/kb-fixture.ts";
import type { KnowledgeBase } from "./knowledge-base.ts";

const gate = requireServer("chroma");
const subset = [
  "chocolate.en",
  "chocolate.ko",
  "lilies.en",
  "lilies.ko",
  "kennel-cough.en",
  "heartworm.ko",
  "parvovirus.en",
  "vomiting-diarrhea.ko",
];
const md = (text: string) => Buffer.from(text, "utf8");

async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe.skipIf(gate.skip)(gate.title("knowledge base on a real Chroma"), () => {
  const chroma = startedForSuite(startChroma);
  let kb: KnowledgeBase;

  beforeAll(async () => {
    kb = await openKnowledgeBase(chroma(), "vet_medical_data");
    await ingestCorpusDocs(kb, subset);
  });

  it("finds the right document for Korean and English questions, with citations", async () => {
    const ko = await kb.search({ query: "강아지가 초콜릿을 먹었어요", limit: 3 });
    expect(ko.hits[0]?.citation.documentId).toMatch(/^chocolate\./);
    expect(ko.hits[0]?.citation.title).not.toBe("");
    const en = await kb.search({ query: "my cat chewed a lily leaf", limit: 3 });
    expect(en.hits[0]?.citation.documentId).toMatch(/^lilies\./);
    expect(en.hits[0]?.text.length).toBeGreaterThan(20);
  });

  it("hybrid search returns both language versions of the topic a question is about", async () => {
    for (const query of ["강아지가 초콜릿을 먹었어요", "my dog ate a chocolate bar"]) {
      // Each section is its own passage, so one document can fill the first five.
      const { hits } = await kb.search({ query, limit: 10 });
      const documents = [...new Set(hits.map((hit) => hit.citation.documentId))];
      expect(documents.slice(0, 2).sort()).toEqual(["chocolate.en", "chocolate.ko"]);
    }
  });

  it("reads a vector hit from Chroma when the in-memory index lacks it", async () => {
    const query = "my cat chewed a lily leaf";
    const before = await kb.search({ query, mode: "vector", limit: 1 });
    const [id] = before.hits[0]?.chunkIds ?? [];
    expect(id).toBeDefined();
    kb.index.remove([id ?? ""]);
    try {
      const after = await kb.search({ query, mode: "vector", limit: 1 });
      expect(after.hits[0]?.chunkIds).toContain(id);
      expect(after.hits[0]?.text).toBe(before.hits[0]?.text);
    } finally {
      await kb.load();
    }
    expect(kb.index.has(id ?? "")).toBe(true);
  });

  it("filters by language and species", async () => {
    const ko = await kb.search({ query: "chocolate theobromine", language: "ko", limit: 5 });
    expect(ko.hits.length).toBeGreaterThan(0);
    expect(ko.hits.every((hit) => hit.language === "ko")).toBe(true);
    const cat = await kb.search({ query: "cough", species: "cat", limit: 10 });
    expect(cat.hits.every((hit) => hit.species !== "dog")).toBe(true);
    expect(cat.hits.some((hit) => hit.citation.documentId.startsWith("kennel-cough"))).toBe(false);
  });

  it("crosses languages through the embedder: an English question finds the Korean heartworm page", async () => {
    const result = await kb.search({
      query: "heartworm prevention mosquito",
      language: "ko",
      mode: "vector",
      limit: 3,
    });
    expect(result.hits[0]?.citation.documentId).toBe("heartworm.ko");
  });

  it("ingesting the same file twice changes nothing", async () => {
    const before = await kb.store.count();
    const bytes = await readFile(new URL("../../corpus/chocolate.en.md", import.meta.url));
    const again = await kb.ingest({
      fileName: "chocolate.en.md",
      bytes,
      fromCorpus: true,
      source: "corpus/chocolate.en.md",
    });
    expect(again).toMatchObject({
      documentId: "chocolate.en",
      unchanged: true,
      added: 0,
      removed: 0,
    });
    expect(await kb.store.count()).toBe(before);
  });

  it("an edited document replaces its old chunks, and delete removes them all", async () => {
    const first = await kb.ingest({
      fileName: "notes.md",
      bytes: md("# Notes\n\nPumpkin seeds are a snack.\n\n## More\n\nZebra finches sing."),
    });
    expect(first).toMatchObject({ documentId: "notes", added: 2, removed: 0, unchanged: false });
    const edited = await kb.ingest({
      fileName: "notes.md",
      bytes: md("# Notes\n\nPumpkin puree helps some dogs with loose stool."),
    });
    expect(edited).toMatchObject({ added: 1, removed: 2 });
    expect(await kb.store.idsOfDocument("notes")).toHaveLength(1);
    expect(kb.index.idsOfDocument("notes")).toHaveLength(1);
    const zebra = await kb.search({ query: "zebra finches sing", mode: "bm25", limit: 5 });
    expect(zebra.hits.some((hit) => hit.citation.documentId === "notes")).toBe(false);

    expect(await kb.deleteDocument("notes")).toEqual({ documentId: "notes", deletedChunks: 1 });
    expect(await kb.store.idsOfDocument("notes")).toEqual([]);
    expect(kb.documents().some((doc) => doc.documentId === "notes")).toBe(false);
    expect((await appErrorOf(kb.deleteDocument("notes"))).appCode).toBe("NOT_FOUND");
  });

  it("two racing ingests of one document leave exactly one version", async () => {
    const versions = [
      "# Race\n\nVersion one of the text.",
      "# Race\n\nVersion two, a different text.",
    ];
    await Promise.all(versions.map((text) => kb.ingest({ fileName: "race.md", bytes: md(text) })));
    const ids = await kb.store.idsOfDocument("race");
    expect(ids).toHaveLength(1);
    expect(kb.index.idsOfDocument("race")).toEqual(ids);
  });

  it("refuses bad input with a clear error and stores nothing", async () => {
    const before = await kb.store.count();
    const junk = await appErrorOf(
      kb.ingest({ fileName: "junk.md", bytes: Buffer.from([0xc3, 0x28, 0x00, 0xff]) }),
    );
    expect(junk.appCode).toBe("BAD_REQUEST");
    expect(junk.message).toMatch(/junk\.md/);
    expect((await appErrorOf(kb.ingest({ fileName: "a.exe", bytes: md("MZ") }))).message).toMatch(
      /unsupported/,
    );
    expect(await kb.store.count()).toBe(before);
  });

  it("rebuilds the same BM25 index from Chroma after a restart", async () => {
    const reopened = await openKnowledgeBase(chroma(), "vet_medical_data");
    expect(reopened.index.size).toBe(kb.index.size);
    expect(reopened.documents()).toEqual(kb.documents());
  });

  it("opens a collection built by another embedder for re-embedding, refusing vector searches and writes until then", async () => {
    const other = new HashedNgramEmbedder({ dimension: 128 });
    const store = new ChromaStore({
      url: chroma().url,
      collection: "vet_medical_data",
      timeoutMs: 2_000,
      embedder: other,
    });
    await store.open();
    expect(store.reembeddingFrom()).toEqual({ name: kb.embedder.name, dimension: 384 });
    const error = await store.nearest(new Array<number>(128).fill(0.1), { limit: 1 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).appCode).toBe("UPSTREAM_UNAVAILABLE");
    expect((error as Error).message).toContain(
      `while the knowledge base is re-embedded with ${other.name}`,
    );
  });
});
