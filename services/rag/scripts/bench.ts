/**
 * Ingest throughput (chunks per second) and search latency (p50/p99, hybrid) at 1,000 and 100,000
 * chunks, in a fresh Chroma with the built-in embedder. Chunks are corpus passages with a
 * numbered variation so every chunk is distinct. Target: p50 at most 15 ms at 100,000 chunks.
 * Usage: node --import tsx services/rag/scripts/bench.ts [--sizes 1000,100000]   (last line: JSON)
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { startChroma } from "@dogi/testing";
import { chunkText } from "../src/ingest/chunker.ts";
import { parseDocument } from "../src/ingest/parse-document.ts";
import { corpusFiles, defaultCorpusDir } from "../src/kb/seed-corpus.ts";
import type { ChunkRecord } from "../src/search/chunk-record.ts";
import { indexTextOf } from "../src/search/chunk-record.ts";
import { openKnowledgeBase } from "../src/testing/kb-fixture.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,100000" },
    queries: { type: "string", default: "200" },
  },
});
const sizes = (values.sizes ?? "").split(",").map(Number);
const queryCount = Number(values.queries);
const targetP50Ms = 15;

// Base passages: every chunk of the corpus.
const base: ChunkRecord[] = [];
for (const file of await corpusFiles(defaultCorpusDir)) {
  const doc = await parseDocument({ fileName: file, bytes: await readFile(file) });
  for (const chunk of chunkText(doc.text, { size: 800, overlap: 120 })) {
    base.push({
      id: "",
      text: chunk.text,
      documentId: doc.documentId,
      title: doc.title,
      section: chunk.section,
      species: doc.species,
      language: doc.language,
      topic: doc.topic,
      source: file,
      type: doc.type,
      contentHash: doc.contentHash,
      fromCorpus: false,
      chunkIndex: chunk.index,
      start: chunk.start,
      end: chunk.end,
    });
  }
}
const queries = JSON.parse(
  await readFile(new URL("../eval/questions.json", import.meta.url), "utf8"),
) as Array<{ query: string }>;

const results: Record<string, unknown> = {};
for (const size of sizes) {
  const chroma = await startChroma();
  try {
    const kb = await openKnowledgeBase(chroma, "bench", 30_000);
    const batch = 1_000;
    const started = performance.now();
    for (let offset = 0; offset < size; offset += batch) {
      const records: ChunkRecord[] = [];
      for (let i = offset; i < Math.min(size, offset + batch); i += 1) {
        const source = base[i % base.length];
        if (source === undefined) throw new Error("empty corpus");
        const copy = Math.floor(i / base.length);
        records.push({
          ...source,
          id: `bench-${i}`,
          documentId: `${source.documentId}.copy${copy}`,
          text: `${source.text} (variant ${copy})`,
        });
      }
      const embeddings = await kb.embedder.embed(records.map(indexTextOf));
      await kb.store.upsert(records, embeddings);
      kb.index.add(records);
      if (offset % 10_000 === 0)
        process.stderr.write(`  ${size}: ${offset + records.length} chunks stored\n`);
    }
    const ingestSeconds = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    for (let i = 0; i < queryCount + 10; i += 1) {
      const query = queries[i % queries.length]?.query ?? "bloat";
      const t = performance.now();
      await kb.search({ query, limit: 5 });
      if (i >= 10) latencies.push(performance.now() - t); // the first ten warm up
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(
        (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100,
      ) / 100;
    results[String(size)] = {
      chunks: size,
      ingestChunksPerSecond: Math.round(size / ingestSeconds),
      searchP50Ms: at(0.5),
      searchP99Ms: at(0.99),
    };
    process.stderr.write(`${JSON.stringify(results[String(size)])}\n`);
  } finally {
    await chroma.stop();
  }
}
const largest = results[String(Math.max(...sizes))] as { searchP50Ms: number } | undefined;
process.stdout.write(
  `${JSON.stringify({
    benchmark: "rag-search",
    queries: queryCount,
    targetP50MsAt100k: targetP50Ms,
    meetsTarget: largest !== undefined && largest.searchP50Ms <= targetP50Ms,
    results,
  })}\n`,
);
