/**
 * Ingest throughput (chunks per second) and search latency (p50/p99, hybrid) at 1,000 and 100,000
 * chunks, with the built-in embedder, plus the p50 of each stage of a search (embedding the query,
 * Chroma's vector query, the BM25 pass). Chunks are corpus passages with a numbered variation so
 * every chunk is distinct. Target: p50 at most 15 ms at 100,000 chunks.
 *
 * Building 100,000 chunks takes minutes on a small machine: `--data-dir DIR` keeps each size's
 * Chroma data in DIR/<size> and reuses it when it holds exactly that build (same chunks, same
 * embedder); the ingest figure then comes from the run that built it (`ingestMeasuredAt` says when).
 * Usage: node --import tsx services/rag/scripts/bench.ts [--sizes 1000,100000] [--data-dir DIR]
 * (last line: one JSON object)
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startChroma } from "@dogi/servers";
import { HashedNgramEmbedder } from "../src/embed/hashed.ts";
import { chunkText } from "../src/ingest/chunker.ts";
import { chunkRecordsOf } from "../src/kb/chunk-records.ts";
import { parseDocument } from "../src/ingest/parse-document.ts";
import { KnowledgeBase } from "../src/kb/knowledge-base.ts";
import { corpusFiles, defaultCorpusDir } from "../src/kb/seed-corpus.ts";
import type { ChunkRecord } from "../src/search/chunk-record.ts";
import { indexTextOf } from "../src/search/chunk-record.ts";
import { ChromaStore } from "../src/store/chroma-store.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,100000" },
    queries: { type: "string", default: "200" },
    "data-dir": { type: "string" },
  },
});
const sizes = (values.sizes ?? "").split(",").map(Number);
const queryCount = Number(values.queries);
const dataDir = values["data-dir"];
const targetP50Ms = 15;
const collection = "bench";

// Base passages: every chunk of the corpus.
const base: ChunkRecord[] = [];
for (const file of await corpusFiles(defaultCorpusDir)) {
  const doc = await parseDocument({ fileName: file, bytes: await readFile(file) });
  base.push(...chunkRecordsOf(doc, chunkText(doc.text, { size: 800, overlap: 120 }), false));
}
const queries = (
  JSON.parse(await readFile(new URL("../eval/questions.json", import.meta.url), "utf8")) as Array<{
    query: string;
  }>
).map(({ query }) => query);

/** The i-th bench chunk (deterministic, so a kept build can be recognised). */
function benchRecord(i: number): ChunkRecord {
  const source = base[i % base.length];
  if (source === undefined) throw new Error("empty corpus");
  const copy = Math.floor(i / base.length);
  return {
    ...source,
    id: `bench-${i}`,
    documentId: `${source.documentId}.copy${copy}`,
    text: `${source.text} (variant ${copy})`,
  };
}

interface BuildInfo {
  build: string;
  chunks: number;
  ingestChunksPerSecond: number;
  measuredAt: string;
  loadAverage: number[];
}

const embedder = new HashedNgramEmbedder();
const buildKey = createHash("sha256")
  .update(embedder.name)
  .update(JSON.stringify(base.map((record) => [record.documentId, record.text])))
  .digest("hex")
  .slice(0, 16);

const results: Record<string, unknown> = {};
for (const size of sizes) {
  const dir = dataDir === undefined ? undefined : path.resolve(dataDir, String(size));
  const infoFile = dir === undefined ? undefined : path.join(dir, "bench-build.json");
  const info =
    infoFile === undefined
      ? undefined
      : ((await readFile(infoFile, "utf8")
          .then((text) => JSON.parse(text) as BuildInfo)
          .catch(() => undefined)) ?? undefined);
  const chroma = await startChroma(dir === undefined ? {} : { dataDir: dir });
  try {
    const store = new ChromaStore({ url: chroma.url, collection, timeoutMs: 30_000, embedder });
    const reusable = info !== undefined && info.build === buildKey && info.chunks === size;
    await store.open({ reindex: !reusable });
    const kb = new KnowledgeBase({
      store,
      embedder,
      chunking: { size: 800, overlap: 120 },
      // One process, nothing else writes; a background rebuild would be timed with the searches.
      indexSyncMs: Number.POSITIVE_INFINITY,
    });
    let build: BuildInfo;
    let loadSeconds: number | undefined;
    if (reusable && (await store.count()) === size) {
      const loading = performance.now();
      await kb.load();
      loadSeconds = round((performance.now() - loading) / 1000);
      build = info;
      process.stderr.write(`  ${size}: reused ${dir}, BM25 index loaded in ${loadSeconds} s\n`);
    } else {
      build = await ingest(kb, size);
      if (infoFile !== undefined) await writeFile(infoFile, `${JSON.stringify(build)}\n`);
    }
    const figures = await measure(kb);
    results[String(size)] = {
      chunks: size,
      ingestChunksPerSecond: build.ingestChunksPerSecond,
      ingestMeasuredAt: build.measuredAt,
      ...(loadSeconds === undefined ? {} : { indexLoadSeconds: loadSeconds }),
      ...figures,
      loadAverage: loadavg().map((value) => round(value)),
    };
    process.stderr.write(`${JSON.stringify(results[String(size)])}\n`);
  } finally {
    await chroma.stop();
  }
}
const at100k = results["100000"] as { searchP50Ms: number } | undefined;
process.stdout.write(
  `${JSON.stringify({
    benchmark: "rag-search",
    queries: queryCount,
    targetP50MsAt100k: targetP50Ms,
    // null when 100,000 chunks were not measured: a smaller size says nothing about the target.
    meetsTarget: at100k === undefined ? null : at100k.searchP50Ms <= targetP50Ms,
    results,
  })}\n`,
);

async function ingest(kb: KnowledgeBase, size: number): Promise<BuildInfo> {
  const batch = 1_000;
  const started = performance.now();
  for (let offset = 0; offset < size; offset += batch) {
    const records: ChunkRecord[] = [];
    for (let i = offset; i < Math.min(size, offset + batch); i += 1) records.push(benchRecord(i));
    const embeddings = await kb.embedder.embed(records.map(indexTextOf));
    await kb.store.upsert(records, embeddings);
    kb.index.add(records);
    if (offset % 10_000 === 0)
      process.stderr.write(`  ${size}: ${offset + records.length} chunks stored\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    build: buildKey,
    chunks: size,
    ingestChunksPerSecond: Math.round(size / seconds),
    measuredAt: new Date().toISOString(),
    loadAverage: loadavg().map((value) => round(value)),
  };
}

/** p50/p99 of whole hybrid searches, then the p50 of each stage on its own. */
async function measure(kb: KnowledgeBase): Promise<Record<string, number>> {
  const warmUp = 10;
  const time = async (run: (query: string) => Promise<unknown>): Promise<number[]> => {
    const latencies: number[] = [];
    for (let i = 0; i < queryCount + warmUp; i += 1) {
      const query = queries[i % queries.length] ?? "bloat";
      const started = performance.now();
      await run(query);
      if (i >= warmUp) latencies.push(performance.now() - started);
    }
    return latencies.sort((a, b) => a - b);
  };
  const search = await time((query) => kb.search({ query, limit: 5 }));
  const vectors = new Map<string, number[]>();
  const embed = await time(async (query) => {
    const [vector] = await kb.embedder.embed([query]);
    if (vector !== undefined) vectors.set(query, vector);
  });
  const candidates = 20;
  const chroma = await time((query) =>
    kb.store.nearest(vectors.get(query) ?? [], { limit: candidates }),
  );
  const bm25 = await time((query) =>
    Promise.resolve(kb.index.search(query, { limit: candidates })),
  );
  return {
    searchP50Ms: percentile(search, 0.5),
    searchP99Ms: percentile(search, 0.99),
    embedP50Ms: percentile(embed, 0.5),
    chromaQueryP50Ms: percentile(chroma, 0.5),
    bm25P50Ms: percentile(bm25, 0.5),
    bm25P99Ms: percentile(bm25, 0.99),
  };
}

function percentile(sorted: readonly number[], q: number): number {
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
