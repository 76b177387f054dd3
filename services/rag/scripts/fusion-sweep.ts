/**
 * Does tuning the fusion pay? Splits the evaluation topics in two halves (alternate topics, so both
 * language versions of a question stay together), picks the best fusion settings (k, BM25 floor,
 * BM25 weight) on one half by recall@5 + MRR and scores them on the other, next to the defaults
 * and to vector-only and BM25-only. In memory, no Chroma: the vector ranking is the exact cosine
 * ranking of the built-in embedder (what Chroma returns for a collection this small; the
 * vector-only figures match scripts/eval.ts).
 * Usage: node --import tsx services/rag/scripts/fusion-sweep.ts   (last line: one JSON object)
 */
import { readFile } from "node:fs/promises";
import { HashedNgramEmbedder } from "../src/embed/hashed.ts";
import { chunkText } from "../src/ingest/chunker.ts";
import { chunkRecordsOf } from "../src/kb/chunk-records.ts";
import { parseDocument } from "../src/ingest/parse-document.ts";
import { corpusFiles, defaultCorpusDir } from "../src/kb/seed-corpus.ts";
import { Bm25Index } from "../src/search/bm25.ts";
import type { RankedChunk } from "../src/search/bm25.ts";
import type { ChunkRecord } from "../src/search/chunk-record.ts";
import { indexTextOf } from "../src/search/chunk-record.ts";
import type { FusedChunk, FusionOptions } from "../src/search/fuse.ts";
import { defaultFusion, hybridFusion } from "../src/search/fuse.ts";
import { mergePassages } from "../src/search/merge.ts";

interface Question {
  query: string;
  relevant: string[];
}
interface Figures {
  recallAt5: number;
  mrr: number;
}

const k = 5;
const limit = 20; // as scripts/eval.ts asks
const candidates = Math.max(limit * 4, 20); // as KnowledgeBase.search fetches

const questions = JSON.parse(
  await readFile(new URL("../eval/questions.json", import.meta.url), "utf8"),
) as Question[];
const embedder = new HashedNgramEmbedder();
const records: ChunkRecord[] = [];
for (const file of await corpusFiles(defaultCorpusDir)) {
  const doc = await parseDocument({ fileName: file, bytes: await readFile(file) });
  records.push(...chunkRecordsOf(doc, chunkText(doc.text, { size: 800, overlap: 120 }), true));
}
const index = new Bm25Index();
index.add(records);
const vectors = records.map((record) => embedder.embedOne(indexTextOf(record)));

const rankings = new Map<string, { vector: ChunkRecord[]; lexical: RankedChunk[] }>();
for (const { query } of questions) {
  const q = embedder.embedOne(query);
  const vector = records
    .map((record, i) => ({
      record,
      similarity: q.reduce((sum, value, j) => sum + value * (vectors[i]?.[j] ?? 0), 0),
    }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, candidates)
    .map(({ record }) => record);
  rankings.set(query, { vector, lexical: index.search(query, { limit: candidates }) });
}

function evaluate(rank: (query: string) => FusedChunk[], subset: readonly Question[]): Figures {
  let recall = 0;
  let reciprocal = 0;
  for (const question of subset) {
    const hits = mergePassages(rank(question.query), limit);
    const ranked = [...new Set(hits.map((hit) => hit.citation.documentId))].slice(0, k);
    recall +=
      ranked.filter((id) => question.relevant.includes(id)).length / question.relevant.length;
    const at = ranked.findIndex((id) => question.relevant.includes(id));
    reciprocal += at === -1 ? 0 : 1 / (at + 1);
  }
  return { recallAt5: round(recall / subset.length), mrr: round(reciprocal / subset.length) };
}

const modes = {
  vector: (query: string) => hybridFusion(rankings.get(query)?.vector ?? [], undefined),
  bm25: (query: string) => hybridFusion(undefined, rankings.get(query)?.lexical ?? []),
  hybrid: (options: FusionOptions) => (query: string) =>
    hybridFusion(rankings.get(query)?.vector ?? [], rankings.get(query)?.lexical ?? [], options),
};

const grid: FusionOptions[] = [];
for (const lexicalFloor of [0, 0.3, 0.6, 0.8])
  for (const rrf of [5, 10, 20, 30, 60, 100])
    for (const lexical of [0.5, 0.75, 1, 1.5, 2])
      grid.push({ k: rrf, lexicalFloor, weights: { vector: 1, lexical } });

const topics = [...new Set(questions.map((question) => question.relevant.join(",")))].sort();
const half = (h: number) =>
  questions.filter((question) => topics.indexOf(question.relevant.join(",")) % 2 === h);
const splits = [0, 1].map((h) => {
  const tune = half(h);
  const test = half(1 - h);
  const objective = (options: FusionOptions) => {
    const figures = evaluate(modes.hybrid(options), tune);
    return figures.recallAt5 + figures.mrr;
  };
  const best = grid.reduce((a, b) => (objective(b) > objective(a) ? b : a));
  const split = {
    tuneQuestions: tune.length,
    heldOutQuestions: test.length,
    tuned: { ...best, onTune: evaluate(modes.hybrid(best), tune) },
    heldOut: {
      tunedHybrid: evaluate(modes.hybrid(best), test),
      defaultHybrid: evaluate(modes.hybrid(defaultFusion), test),
      vector: evaluate(modes.vector, test),
      bm25: evaluate(modes.bm25, test),
    },
  };
  process.stderr.write(`split ${h}: ${JSON.stringify(split)}\n`);
  return split;
});

process.stdout.write(
  `${JSON.stringify({
    benchmark: "rag-fusion-sweep",
    questions: questions.length,
    settingsTried: grid.length,
    default: defaultFusion,
    all: {
      vector: evaluate(modes.vector, questions),
      bm25: evaluate(modes.bm25, questions),
      defaultHybrid: evaluate(modes.hybrid(defaultFusion), questions),
    },
    splits,
  })}\n`,
);

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
