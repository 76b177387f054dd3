import path from "node:path";
import type { ChromaServer } from "@dogi/testing";
import { ensureTinyModel, presets, requireServer, startChroma } from "@dogi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KnowledgeBase } from "../kb/knowledge-base.ts";
import { ChromaStore } from "../store/chroma-store.ts";
import { HashedNgramEmbedder } from "./hashed.ts";
import { LlamaEmbedder } from "./llama.ts";

// The tiny model has random weights: these tests check the plumbing (dimension, determinism,
// batching, truncation, the collection's embedder record), not the quality of its vectors.

const contextSize = 128;
const norm = (vector: readonly number[]) =>
  Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));

let embedder: LlamaEmbedder;
let modelPath: string;

beforeAll(async () => {
  modelPath = await ensureTinyModel();
  embedder = await new LlamaEmbedder(modelPath, { gpu: false, contextSize }).init();
}, 60_000);

afterAll(async () => {
  await embedder?.close();
});

describe("LlamaEmbedder on a GGUF model", () => {
  it("reports the model's embedding size and a name from the file", () => {
    expect(embedder.dimension).toBe(presets.tiny.shape.embeddingLength);
    expect(embedder.name).toBe(`llama:${path.basename(modelPath)}`);
  });

  it("gives the same unit vector for the same text and different ones for different texts", async () => {
    const [first, again, other] = await embedder.embed([
      "강아지가 초콜릿을 먹었어요",
      "강아지가 초콜릿을 먹었어요",
      "My cat chewed a lily leaf",
    ]);
    expect(first).toHaveLength(embedder.dimension);
    expect(first).toEqual(again);
    expect(norm(first ?? [])).toBeCloseTo(1, 5);
    expect(other).not.toEqual(first);
  });

  it("embeds a batch exactly as it embeds each text alone", async () => {
    const texts = ["heartworm prevention", "심장사상충 예방", "bloat in large dogs"];
    const batch = await embedder.embed(texts);
    const single = [];
    for (const text of texts) single.push(...(await embedder.embed([text])));
    expect(batch).toEqual(single);
  });

  it("embeds a text longer than its context by its beginning instead of failing", async () => {
    const long = "고양이 백합 중독 ".repeat(60);
    const [a, b, shortOne] = await embedder.embed([
      `${long} the end differs here`,
      `${long} and it differs otherwise`,
      "고양이 백합 중독",
    ]);
    expect(a).toHaveLength(embedder.dimension);
    // Only what lies past the cut differs, so the vectors are the same.
    expect(a).toEqual(b);
    expect(a).not.toEqual(shortOne);
  });
});

const gate = requireServer("chroma");

describe.skipIf(gate.skip)(gate.title("a collection indexed by the GGUF embedder"), () => {
  let chroma: ChromaServer;

  beforeAll(async () => {
    chroma = await startChroma();
  });

  afterAll(async () => {
    await chroma?.stop();
  });

  it("records the embedder on the collection, and a change to the hashed embedder re-embeds the chunks", async () => {
    const options = { url: chroma.url, collection: "llama_embedded", timeoutMs: 5_000 };
    const store = new ChromaStore({ ...options, embedder });
    await store.open();
    const kb = new KnowledgeBase({ store, embedder, chunking: { size: 800, overlap: 120 } });
    await kb.ingest({
      fileName: "lily.md",
      bytes: Buffer.from("# Lilies\n\nEvery part of a lily is toxic to cats.", "utf8"),
    });
    const hits = await kb.search({ query: "lily cats", mode: "vector", limit: 1 });
    expect(hits.hits[0]?.citation.documentId).toBe("lily");
    expect((await kb.stats()).embedder).toEqual({
      name: embedder.name,
      dimension: presets.tiny.shape.embeddingLength,
    });

    // The same embedder opens it again; another one opens it for re-embedding, and after the
    // copy its own vectors (of another dimension) answer.
    const again = new ChromaStore({ ...options, embedder });
    await again.open();
    expect(again.reembeddingFrom()).toBeUndefined();
    const hashed = new HashedNgramEmbedder();
    const switched = new ChromaStore({ ...options, embedder: hashed });
    await switched.open();
    expect(switched.reembeddingFrom()).toEqual({
      name: embedder.name,
      dimension: presets.tiny.shape.embeddingLength,
    });
    const rebuilt = new KnowledgeBase({
      store: switched,
      embedder: hashed,
      chunking: { size: 800, overlap: 120 },
    });
    await rebuilt.load();
    expect(await rebuilt.reembed()).toBeGreaterThan(0);
    const after = await rebuilt.search({ query: "lily cats", mode: "vector", limit: 1 });
    expect(after.hits[0]?.citation.documentId).toBe("lily");
    expect((await rebuilt.stats()).embedder).toEqual({ name: hashed.name, dimension: 384 });
  });
});
