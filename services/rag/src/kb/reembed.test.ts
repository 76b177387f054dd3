import { copyFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLogger } from "@dogi/logger";
import { requireServer } from "@dogi/testing";
import type { ChromaServer } from "@dogi/testing";
import { AppError } from "@dogi/trpc";
import { ChromaClient } from "chromadb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Embedder } from "../embed/embedder.ts";
import { HashedNgramEmbedder } from "../embed/hashed.ts";
import { indexTextOf } from "../search/chunk-record.ts";
import { ChromaStore, EmbedderMismatchError } from "../store/chroma-store.ts";
import { startChroma } from "../testing/kb-fixture.ts";
import { KnowledgeBase } from "./knowledge-base.ts";
import { KnowledgeBaseRuntime } from "./runtime.ts";
import { defaultCorpusDir, seedCorpus } from "./seed-corpus.ts";

const gate = requireServer("chroma");
const chunking = { size: 800, overlap: 120 };

/** An install's earlier embedder version: same name scheme and dimension, different vectors. */
const previousVersion: Embedder = {
  name: "hashed-ngram-v1-384",
  dimension: 384,
  embed: (texts) =>
    Promise.resolve(texts.map((_text, i) => Array.from({ length: 384 }, (_v, j) => (i + j) % 7))),
};

describe.skipIf(gate.skip)(
  gate.title("start-up with a collection of another embedder version"),
  () => {
    let chroma: ChromaServer;
    let dir: string;

    beforeAll(async () => {
      chroma = await startChroma();
      dir = await mkdtemp(path.join(os.tmpdir(), "dogi-reembed-"));
      for (const name of ["chocolate.en.md", "chocolate.ko.md", "lilies.en.md"])
        await copyFile(path.join(defaultCorpusDir, name), path.join(dir, name));
    });

    afterAll(async () => {
      await chroma.stop();
      await rm(dir, { recursive: true, force: true });
    });

    const storeFor = (collection: string, embedder: Embedder) =>
      new ChromaStore({ url: chroma.url, collection, timeoutMs: 5_000, embedder });

    it("re-embeds every chunk, hand-ingested ones too, and records the new version", async () => {
      // An existing install: the corpus and one hand-ingested document, under the previous version.
      const oldStore = storeFor("reembed", previousVersion);
      await oldStore.open();
      const oldKb = new KnowledgeBase({ store: oldStore, embedder: previousVersion, chunking });
      await seedCorpus({ kb: oldKb, dir });
      await oldKb.ingest({
        fileName: "pumpkin.md",
        bytes: Buffer.from("# Pumpkin\n\nPumpkin puree helps some dogs with loose stool.", "utf8"),
      });
      const chunks = await oldStore.count();

      // The new version opens it as outdated, keeps the stored name, and refuses to mix vectors.
      const embedder = new HashedNgramEmbedder();
      const store = storeFor("reembed", embedder);
      await store.open();
      expect(store.outdatedEmbedder()).toEqual({ name: "hashed-ngram-v1-384", dimension: 384 });
      const early = new KnowledgeBase({ store, embedder, chunking });
      await early.load();
      const refused = await early.search({ query: "chocolate", mode: "vector", limit: 1 }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(refused).toBeInstanceOf(AppError);
      expect(String(refused)).toMatch(/hashed-ngram-v1-384/);
      const reopened = storeFor("reembed", embedder);
      await reopened.open();
      expect(reopened.outdatedEmbedder()?.name).toBe("hashed-ngram-v1-384");

      // Start-up re-embeds, then seeds (the corpus is unchanged) and is ready.
      const kb = new KnowledgeBase({ store, embedder, chunking });
      const runtime = new KnowledgeBaseRuntime({
        kb,
        logger: createLogger({ service: "rag", level: "silent" }),
        corpusDir: dir,
        reindex: false,
        retryMs: 200,
      });
      await runtime.started;
      expect(runtime.ready()).toBe(kb);
      expect(store.outdatedEmbedder()).toBeUndefined();
      expect(await store.count()).toBe(chunks);

      // Every stored vector is now the new embedder's vector of its chunk's text.
      const url = new URL(chroma.url);
      const client = new ChromaClient({ host: url.hostname, port: Number(url.port) });
      const collection = await client.getCollection({
        name: "reembed",
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
      expect(kb.documents().map((doc) => doc.documentId)).toContain("pumpkin");
      const pumpkin = await kb.search({ query: "pumpkin puree", mode: "vector", limit: 1 });
      expect(pumpkin.hits[0]?.citation.documentId).toBe("pumpkin");

      // The next start finds this version and nothing to do.
      const next = storeFor("reembed", embedder);
      await next.open();
      expect(next.outdatedEmbedder()).toBeUndefined();
    });

    it("still refuses a collection of another embedder kind, whatever its dimension", async () => {
      const other: Embedder = { ...previousVersion, name: "openai:text-embedding-3-small" };
      const store = storeFor("other_kind", other);
      await store.open();
      await new KnowledgeBase({ store, embedder: other, chunking }).ingest({
        fileName: "note.md",
        bytes: Buffer.from("# Note\n\nA note.", "utf8"),
      });
      const error = await storeFor("other_kind", new HashedNgramEmbedder())
        .open()
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(error).toBeInstanceOf(EmbedderMismatchError);
      expect((error as Error).message).toMatch(/RAG_REINDEX=true/);
    });
  },
);
