import { readFile } from "node:fs/promises";
import path from "node:path";
import { startChroma } from "@dogi/testing";
import type { ChromaServer } from "@dogi/testing";
import { HashedNgramEmbedder } from "../embed/hashed.ts";
import { KnowledgeBase } from "../kb/knowledge-base.ts";
import { defaultCorpusDir } from "../kb/seed-corpus.ts";
import { ChromaStore } from "../store/chroma-store.ts";

/** A knowledge base on a real Chroma server, with the built-in embedder. */
export async function openKnowledgeBase(
  chroma: ChromaServer,
  collection: string,
  timeoutMs = 2_000,
): Promise<KnowledgeBase> {
  const embedder = new HashedNgramEmbedder();
  const store = new ChromaStore({ url: chroma.url, collection, timeoutMs, embedder });
  await store.open();
  const kb = new KnowledgeBase({ store, embedder, chunking: { size: 800, overlap: 120 } });
  await kb.load();
  return kb;
}

/** Ingests some corpus documents by id (a subset keeps tests fast). */
export async function ingestCorpusDocs(kb: KnowledgeBase, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const file = path.join(defaultCorpusDir, `${id}.md`);
    await kb.ingest({
      fileName: file,
      bytes: await readFile(file),
      fromCorpus: true,
      source: `corpus/${id}.md`,
    });
  }
}

export { startChroma };
