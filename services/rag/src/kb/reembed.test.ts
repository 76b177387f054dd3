import { copyFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLogger } from "@dogi/logger";
import { requireServer } from "@dogi/testing";
import { AppError } from "@dogi/trpc";
import { ChromaClient } from "chromadb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startedForSuite } from "@dogi/testing/suite";
import type { Embedder } from "../embed/embedder.ts";
import { HashedNgramEmbedder } from "../embed/hashed.ts";
import { indexTextOf } from "../search/chunk-record.ts";
import { ChromaStore, nextCollectionName } from "../store/chroma-store.ts";
import { startChroma } from "../testing/kb-fixture.ts";
import { KnowledgeBase } from "./knowledge-base.ts";
import { KnowledgeBaseRuntime } from "./runtime.ts";
import { defaultCorpusDir, seedCorpus } from "./seed-corpus.ts";

const gate = requireServer("chroma");
const chunking = { size: 800, overlap: 120 };

/** An install's earlier embedder: another name and dimension, so its vectors cannot be compared. */
const previousEmbedder: Embedder = {
  name: "earlier-embedder-128",
  dimension: 128,
  embed: (texts) =>
    Promise.resolve(texts.map((_text, i) => Array.from({ length: 128 }, (_v, j) => (i + j) % 7))),
};

/** The built-in embedder, with document batches (more than one text) held until `release`. */
function heldEmbedder(): {
  embedder: HashedNgramEmbedder;
  release: () => void;
  held: Promise<void>;
} {
  const embedder = new HashedNgramEmbedder();
  const embed = embedder.embed.bind(embedder);
  let release!: () => void;
  let reached!: () => void;
  const gateOpen = new Promise<void>((resolve) => (release = resolve));
  const held = new Promise<void>((resolve) => (reached = resolve));
  embedder.embed = async (texts) => {
    if (texts.length > 1) {
      reached();
      await gateOpen;
    }
    return embed(texts);
  };
  return { embedder, release, held };
}

describe.skipIf(gate.skip)(gate.title("a change of embedder"), () => {
  const chroma = startedForSuite(startChroma);
  let client: ChromaClient;
  let dir: string;

  beforeAll(async () => {
    const url = new URL(chroma().url);
    client = new ChromaClient({ host: url.hostname, port: Number(url.port) });
    dir = await mkdtemp(path.join(os.tmpdir(), "dogi-reembed-"));
    for (const name of ["chocolate.en.md", "chocolate.ko.md", "lilies.en.md"])
      await copyFile(path.join(defaultCorpusDir, name), path.join(dir, name));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const storeFor = (collection: string, embedder: Pick<Embedder, "name" | "dimension">) =>
    new ChromaStore({ url: chroma().url, collection, timeoutMs: 5_000, embedder });
  const collectionNames = async () =>
    (await client.listCollections({ limit: 100 })).map((c) => c.name).sort();
  const runtimeFor = (kb: KnowledgeBase) =>
    new KnowledgeBaseRuntime({
      kb,
      logger: createLogger({ service: "rag", level: "silent" }),
      corpusDir: dir,
      reindex: false,
      retryMs: 200,
    });

  /** An existing install: the corpus and one document ingested by hand, with the earlier embedder. */
  async function earlierInstall(collection: string): Promise<number> {
    const store = storeFor(collection, previousEmbedder);
    await store.open();
    const kb = new KnowledgeBase({ store, embedder: previousEmbedder, chunking });
    await seedCorpus({ kb, dir });
    await kb.ingest({
      fileName: "pumpkin.md",
      bytes: Buffer.from("# Pumpkin\n\nPumpkin puree helps some dogs with loose stool.", "utf8"),
    });
    return store.count();
  }

  it("re-embeds every chunk, hand-ingested ones too, while keyword searches go on", async () => {
    const chunks = await earlierInstall("reembed");
    const { embedder, release, held } = heldEmbedder();
    const store = storeFor("reembed", embedder);
    const kb = new KnowledgeBase({ store, embedder, chunking });
    const runtime = runtimeFor(kb);

    // Ready at once, the copy held at its first batch: keyword search answers, writes wait.
    await runtime.started;
    await held;
    expect(runtime.ready()).toBe(kb);
    expect(store.reembeddingFrom()).toEqual({ name: "earlier-embedder-128", dimension: 128 });
    const meanwhile = await kb.search({ query: "pumpkin puree", mode: "hybrid", limit: 1 });
    expect(meanwhile.hits[0]?.citation.documentId).toBe("pumpkin");
    const vectorOnly = await kb.search({ query: "pumpkin puree", mode: "vector", limit: 1 });
    expect(vectorOnly.hits[0]?.citation.documentId).toBe("pumpkin");
    const refused = await kb
      .ingest({ fileName: "note.md", bytes: Buffer.from("# Note\n\nA note.", "utf8") })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(refused).toBeInstanceOf(AppError);
    expect(String(refused)).toMatch(/re-embedded with hashed-ngram-v2-384.*earlier-embedder-128/);
    const readiness = await runtime.readinessCheck()();
    expect(readiness).toMatchObject({ ok: true, detail: expect.stringMatching(/re-embedding/) });

    release();
    await runtime.settled;
    const next = nextCollectionName("reembed", embedder);
    expect(store.reembeddingFrom()).toBeUndefined();
    expect(store.collectionInUse).toBe(next);
    expect(await store.count()).toBe(chunks);
    // The earlier collection is gone once the next one is complete.
    expect(await collectionNames()).not.toContain("reembed");

    // Every stored vector is now the new embedder's vector of its chunk's text.
    const collection = await client.getCollection({
      name: next,
      embeddingFunction: { generate: () => Promise.reject(new Error("vectors only")) },
    });
    const stored = await collection.get({ include: ["embeddings"], limit: 1_000 });
    expect(stored.ids).toHaveLength(chunks);
    const drift = stored.ids.map((id, i) => {
      const record = kb.index.get(id);
      const want = embedder.embedOne(indexTextOf(record ?? { title: "", section: "", text: "" }));
      const got = stored.embeddings[i] ?? [];
      return record === undefined || got.length !== want.length
        ? Infinity
        : Math.max(...want.map((value, j) => Math.abs(value - (got[j] ?? Infinity))));
    });
    expect(Math.max(...drift)).toBeLessThan(1e-6);
    const pumpkin = await kb.search({ query: "pumpkin puree", mode: "vector", limit: 1 });
    expect(pumpkin.hits[0]?.citation.documentId).toBe("pumpkin");
    await kb.ingest({ fileName: "note.md", bytes: Buffer.from("# Note\n\nA note.", "utf8") });
    expect(kb.documents().map((doc) => doc.documentId)).toEqual(
      expect.arrayContaining(["pumpkin", "note"]),
    );

    // The next start finds this embedder's collection and nothing to do.
    const again = storeFor("reembed", embedder);
    await again.open();
    expect(again.reembeddingFrom()).toBeUndefined();
    expect(again.collectionInUse).toBe(next);
    expect(await again.count()).toBe(chunks + 1);
  });

  it("resumes a copy that a stop interrupted, from the earlier collection still there", async () => {
    const chunks = await earlierInstall("interrupted");
    const embedder = new HashedNgramEmbedder();
    const first = storeFor("interrupted", embedder);
    await first.open();
    const kb = new KnowledgeBase({ store: first, embedder, chunking });
    await kb.load();
    // A stop after one small batch: the next collection holds part of the chunks, incomplete.
    const some = [...kb.index.records()].slice(0, 2);
    await first.copyIntoNext(some, await embedder.embed(some.map(indexTextOf)));

    const second = storeFor("interrupted", embedder);
    await second.open();
    expect(second.reembeddingFrom()?.name).toBe("earlier-embedder-128");
    expect(second.collectionInUse).toBe("interrupted");
    const resumed = new KnowledgeBase({ store: second, embedder, chunking });
    await resumed.load();
    expect(await resumed.reembed()).toBe(chunks);
    expect(second.collectionInUse).toBe(nextCollectionName("interrupted", embedder));
    expect(await second.count()).toBe(chunks);
  });

  it("lets a second replica take the next collection that the first one completed", async () => {
    await earlierInstall("replicas");
    const embedder = new HashedNgramEmbedder();
    const [storeA, storeB] = [storeFor("replicas", embedder), storeFor("replicas", embedder)];
    await storeA.open();
    await storeB.open();
    const [kbA, kbB] = [storeA, storeB].map(
      (store) => new KnowledgeBase({ store, embedder, chunking }),
    );
    await kbA?.load();
    await kbB?.load();
    await kbA?.reembed();
    expect(storeB.reembeddingFrom()).toBeDefined();

    // B's own copy notices before its first batch and switches without copying anything.
    expect(await kbB?.reembed()).toBe(0);
    expect(storeB.collectionInUse).toBe(nextCollectionName("replicas", embedder));
    const hits = await kbB?.search({ query: "pumpkin puree", mode: "vector", limit: 1 });
    expect(hits?.hits[0]?.citation.documentId).toBe("pumpkin");
  });

  it("starts afresh when the earlier collection holds no chunks", async () => {
    await storeFor("empty_one", previousEmbedder).open();
    const embedder = new HashedNgramEmbedder();
    const store = storeFor("empty_one", embedder);
    await store.open();
    expect(store.reembeddingFrom()).toBeUndefined();
    expect(store.collectionInUse).toBe("empty_one");
    const kb = new KnowledgeBase({ store, embedder, chunking });
    await kb.ingest({ fileName: "note.md", bytes: Buffer.from("# Note\n\nA note.", "utf8") });
    expect(await store.count()).toBe(1);
  });
});
