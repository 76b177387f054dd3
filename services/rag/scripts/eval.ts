/**
 * Retrieval quality on the labelled questions in eval/questions.json (Korean and English): recall@5
 * and MRR (over distinct documents) for vector-only, BM25-only and hybrid search over the whole corpus, in a fresh Chroma,
 * and how often the first relevant document found is in the question's own language.
 * Usage: node --import tsx services/rag/scripts/eval.ts [questions.json]   (last line: one JSON object)
 * The questions default to eval/questions.json; another file lets a past question set be scored on today's corpus.
 */
import { readFile } from "node:fs/promises";
import { startChroma } from "@dogi/servers";
import { seedCorpus, defaultCorpusDir } from "../src/kb/seed-corpus.ts";
import { openKnowledgeBase } from "../src/testing/kb-fixture.ts";

interface Question {
  query: string;
  language: "ko" | "en";
  relevant: string[];
}

const k = 5;
const questionsFile = process.argv[2] ?? new URL("../eval/questions.json", import.meta.url);
const questions = JSON.parse(await readFile(questionsFile, "utf8")) as Question[];
const chroma = await startChroma();
try {
  const kb = await openKnowledgeBase(chroma, "vet_medical_data_eval");
  await seedCorpus({ kb, dir: defaultCorpusDir });
  const figures: Record<
    string,
    { recallAt5: number; mrr: number; hitAt1: number; sameLanguageFirst: number }
  > = {};
  for (const mode of ["vector", "bm25", "hybrid"] as const) {
    let recall = 0;
    let reciprocal = 0;
    let first = 0;
    let found1 = 0;
    let sameLanguage = 0;
    for (const question of questions) {
      // Rank documents, not passages: the first k distinct documents among the best passages.
      const { hits } = await kb.search({ query: question.query, limit: 20, mode });
      const ranked = [...new Set(hits.map((hit) => hit.citation.documentId))].slice(0, k);
      const found = new Set(ranked.filter((id) => question.relevant.includes(id)));
      recall += found.size / question.relevant.length;
      const rank = ranked.findIndex((id) => question.relevant.includes(id));
      reciprocal += rank === -1 ? 0 : 1 / (rank + 1);
      first += rank === 0 ? 1 : 0;
      if (rank !== -1) {
        found1 += 1;
        sameLanguage += ranked[rank]?.endsWith(`.${question.language}`) === true ? 1 : 0;
      }
    }
    figures[mode] = {
      recallAt5: round(recall / questions.length),
      mrr: round(reciprocal / questions.length),
      hitAt1: round(first / questions.length),
      sameLanguageFirst: round(found1 === 0 ? 0 : sameLanguage / found1),
    };
    process.stderr.write(
      `${mode.padEnd(7)} recall@5 ${figures[mode].recallAt5}  MRR ${figures[mode].mrr}  hit@1 ${figures[mode].hitAt1}  asked language first ${figures[mode].sameLanguageFirst}\n`,
    );
  }
  const hybrid = figures["hybrid"];
  const beatsBoth =
    hybrid !== undefined &&
    (["vector", "bm25"] as const).every((mode) => {
      const other = figures[mode];
      return other !== undefined && hybrid.recallAt5 > other.recallAt5 && hybrid.mrr > other.mrr;
    });
  process.stdout.write(
    `${JSON.stringify({
      benchmark: "rag-eval",
      questions: questions.length,
      k,
      embedder: kb.embedder.name,
      ...figures,
      hybridBeatsBoth: beatsBoth,
    })}\n`,
  );
} finally {
  await chroma.stop();
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
