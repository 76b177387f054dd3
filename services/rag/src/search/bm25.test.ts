import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { chunkText } from "../ingest/chunker.ts";
import { chunkRecordsOf } from "../kb/chunk-records.ts";
import { parseDocument } from "../ingest/parse-document.ts";
import { defaultCorpusDir } from "../kb/seed-corpus.ts";
import { bm25Terms } from "./analyze.ts";
import { Bm25Index, bm25Parameters } from "./bm25.ts";
import type { ChunkFilter, ChunkRecord } from "./chunk-record.ts";
import { indexTextOf, matchesFilter } from "./chunk-record.ts";

const documents = [
  "chocolate.en",
  "chocolate.ko",
  "lilies.en",
  "lilies.ko",
  "heartworm.en",
  "heartworm.ko",
  "bloat-gdv.en",
  "urinary-blockage.ko",
];
let corpus: ChunkRecord[] = [];

beforeAll(async () => {
  for (const id of documents) {
    const fileName = path.join(defaultCorpusDir, `${id}.md`);
    const doc = await parseDocument({ fileName, bytes: await readFile(fileName) });
    corpus.push(...chunkRecordsOf(doc, chunkText(doc.text, { size: 400, overlap: 60 }), true));
  }
  corpus = corpus.sort((a, b) => (a.id < b.id ? -1 : 1));
});

/** BM25 by the textbook formula over every live chunk: what the inverted index must agree with. */
function referenceScores(
  records: readonly ChunkRecord[],
  query: string,
  filter?: ChunkFilter,
): Array<{ id: string; score: number }> {
  const { k1, b } = bm25Parameters;
  const docs = records.map((record) => ({ record, terms: bm25Terms(indexTextOf(record)) }));
  const averageLength = docs.reduce((sum, doc) => sum + doc.terms.length, 0) / docs.length;
  const scored = [];
  for (const { record, terms } of docs) {
    if (filter !== undefined && !matchesFilter(record, filter)) continue;
    let score = 0;
    for (const term of new Set(bm25Terms(query))) {
      const frequency = terms.filter((t) => t === term).length;
      if (frequency === 0) continue;
      const df = docs.filter((doc) => doc.terms.includes(term)).length;
      const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
      score +=
        (idf * frequency * (k1 + 1)) /
        (frequency + k1 * (1 - b + (b * terms.length) / averageLength));
    }
    if (score > 0) scored.push({ id: record.id, score });
  }
  return scored.sort((x, y) => y.score - x.score);
}

function expectSameRanking(
  index: Bm25Index,
  live: readonly ChunkRecord[],
  query: string,
  filter?: ChunkFilter,
): void {
  const limit = 8;
  const got = index.search(query, { limit, ...(filter === undefined ? {} : { filter }) });
  const want = referenceScores(live, query, filter).slice(0, limit);
  expect(got.length).toBe(want.length);
  got.forEach(({ record, score }, i) => {
    expect(score).toBeCloseTo(want[i]?.score ?? Number.NaN, 4);
    // Ties may come in either order; each chunk's own score must still be the reference one.
    const own = referenceScores(live, query, filter).find((entry) => entry.id === record.id);
    expect(score).toBeCloseTo(own?.score ?? Number.NaN, 4);
  });
}

const queries = [
  "강아지가 초콜릿을 먹었어요",
  "my cat chewed a lily leaf",
  "heartworm mosquito prevention",
  "수컷 고양이 소변이 안 나와요",
  "large dog swollen belly retching",
];

describe("Bm25Index", () => {
  it("ranks exactly as the textbook BM25 formula", () => {
    const index = new Bm25Index();
    index.add(corpus);
    for (const query of queries) expectSameRanking(index, corpus, query);
  });

  it("stays exact after removals and additions (idf and lengths follow the live chunks)", () => {
    const index = new Bm25Index();
    index.add(corpus);
    for (const query of queries) index.search(query, { limit: 5 }); // cache the impacts
    const removed = corpus.filter((record) => record.documentId.startsWith("chocolate."));
    index.remove(removed.map((record) => record.id));
    let live = corpus.filter((record) => !removed.includes(record));
    for (const query of queries) expectSameRanking(index, live, query);
    expect(index.idsOfDocument("chocolate.en")).toEqual([]);

    const edited = removed.map((record) => ({ ...record, id: `${record.id}-v2`, text: "cocoa" }));
    index.add(edited);
    live = [...live, ...edited];
    for (const query of queries) expectSameRanking(index, live, query);
  });

  it("drops tombstones in a rebuild once they outnumber the live chunks, and still ranks exactly", () => {
    const index = new Bm25Index();
    const filler = Array.from({ length: 1_200 }, (_, i) => ({
      ...(corpus[i % corpus.length] as ChunkRecord),
      id: `filler-${i}`,
      documentId: `filler-${i}`,
    }));
    index.add([...corpus, ...filler]);
    index.remove(filler.map((record) => record.id));
    expect(index.size).toBe(corpus.length);
    for (const query of queries) expectSameRanking(index, corpus, query);
  });

  it("scores both language versions of a topic for a question in either language", () => {
    const index = new Bm25Index();
    index.add(corpus);
    const topDocuments = (query: string) => [
      ...new Set(index.search(query, { limit: 20 }).map(({ record }) => record.documentId)),
    ];
    expect(topDocuments("강아지가 초콜릿을 먹었어요").slice(0, 2).sort()).toEqual([
      "chocolate.en",
      "chocolate.ko",
    ]);
    expect(topDocuments("heartworm mosquito prevention").slice(0, 2).sort()).toEqual([
      "heartworm.en",
      "heartworm.ko",
    ]);
  });

  it("fills the limit with chunks that pass the filter even when better ones do not", () => {
    const index = new Bm25Index();
    index.add(corpus);
    const filter = { language: "en" as const };
    const hits = index.search("강아지가 초콜릿을 먹었어요", { limit: 5, filter });
    expect(hits).toHaveLength(5);
    expect(hits.every(({ record }) => record.language === "en")).toBe(true);
    expectSameRanking(index, corpus, "강아지가 초콜릿을 먹었어요", filter);
    expectSameRanking(index, corpus, "lily cat", { species: "dog" });
  });

  it("finds nothing for words it has never seen, and nothing in an empty index", () => {
    const index = new Bm25Index();
    expect(index.search("chocolate", { limit: 5 })).toEqual([]);
    index.add(corpus);
    expect(index.search("zyxwv qqqq", { limit: 5 })).toEqual([]);
  });
});
