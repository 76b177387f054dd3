import { readFileSync } from "node:fs";
import { SIGN_IDS, triage } from "../src/index.ts";

/**
 * The dev part: files written one after another by different writers (see eval/README.md), each
 * scored once before any tuning on it, all tuned on since. The held-out part is never tuned on.
 */
const DEV_FILES = [
  "dev.jsonl",
  "dev2.jsonl",
  "dev3.jsonl",
  "dev4.jsonl",
  "dev5.jsonl",
  "dev6.jsonl",
  "dev7.jsonl",
  "dev8.jsonl",
  "dev9.jsonl",
  "dev10.jsonl",
];
const HELD_OUT_FILE = "heldout.jsonl";

const readCases = (file: string) =>
  loadCases(readFileSync(new URL(`../eval/${file}`, import.meta.url), "utf8"));

/** The evaluation set's two parts, read from eval/. */
export function loadEvalSet(): { dev: EvalCase[]; heldOut: EvalCase[] } {
  return { dev: DEV_FILES.flatMap(readCases), heldOut: readCases(HELD_OUT_FILE) };
}

/** One case of the evaluation set (eval/*.jsonl; see eval/README.md). */
export interface EvalCase {
  id: string;
  category: string;
  lang: "en" | "ko";
  species: "dog" | "cat";
  profile?: {
    sex?: "male" | "female";
    neutered?: boolean;
    ageYears?: number;
    breed?: string;
    weightKg?: number;
  };
  text: string;
  level: "emergency" | "urgent" | "none";
  signs: string[];
  hard: boolean;
  note?: string;
}

/** Parses a JSON-lines file of cases, failing on the first malformed one with its line number. */
export function loadCases(jsonl: string): EvalCase[] {
  const known = new Set<string>(SIGN_IDS);
  return jsonl
    .split("\n")
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line !== "")
    .map(({ line, number }) => {
      const c = JSON.parse(line) as EvalCase;
      const bad =
        !c.id ||
        !c.category ||
        !["en", "ko"].includes(c.lang) ||
        !["dog", "cat"].includes(c.species) ||
        typeof c.text !== "string" ||
        !["emergency", "urgent", "none"].includes(c.level) ||
        !Array.isArray(c.signs) ||
        c.signs.some((s) => !known.has(s)) ||
        (c.level === "none") !== (c.signs.length === 0);
      if (bad) throw new Error(`eval case on line ${number} is malformed: ${line.slice(0, 120)}`);
      return c;
    });
}

type Level = "emergency" | "urgent" | "none";

export interface Outcome {
  case: EvalCase;
  level: Level;
  signs: string[];
}

export interface Figures {
  cases: number;
  emergencyRecall: number;
  /** Urgent cases sent to a vet at all (urgent or emergency). */
  urgentRecall: number;
  /** Urgent cases given exactly urgent. */
  urgentExact: number;
  /** Non-emergency cases flagged as emergency. */
  emergencyFalseAlarmRate: number;
  /** Cases whose answer is none that were flagged at all. */
  falseAlarmRate: number;
  /** Flagged positive cases that name every expected sign. */
  signRecall: number;
  byCategory: Record<string, { cases: number; right: number }>;
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : Math.round((a / b) * 1000) / 1000);

export function figures(outcomes: readonly Outcome[]): Figures {
  const of = (level: Level) => outcomes.filter((o) => o.case.level === level);
  const emergencies = of("emergency");
  const urgents = of("urgent");
  const nones = of("none");
  const flagged = outcomes.filter((o) => o.case.level !== "none" && o.level !== "none");
  const byCategory: Figures["byCategory"] = {};
  for (const o of outcomes) {
    const entry = (byCategory[o.case.category] ??= { cases: 0, right: 0 });
    entry.cases++;
    if (right(o)) entry.right++;
  }
  return {
    cases: outcomes.length,
    emergencyRecall: ratio(
      emergencies.filter((o) => o.level === "emergency").length,
      emergencies.length,
    ),
    urgentRecall: ratio(urgents.filter((o) => o.level !== "none").length, urgents.length),
    urgentExact: ratio(urgents.filter((o) => o.level === "urgent").length, urgents.length),
    emergencyFalseAlarmRate: ratio(
      outcomes.filter((o) => o.case.level !== "emergency" && o.level === "emergency").length,
      outcomes.length - emergencies.length,
    ),
    falseAlarmRate: ratio(nones.filter((o) => o.level !== "none").length, nones.length),
    signRecall: ratio(
      flagged.filter((o) => o.case.signs.every((s) => o.signs.includes(s))).length,
      flagged.length,
    ),
    byCategory,
  };
}

/** Right: emergencies flagged emergency, urgent cases flagged at all, negatives not flagged. */
export function right(o: Outcome): boolean {
  if (o.case.level === "emergency") return o.level === "emergency";
  if (o.case.level === "urgent") return o.level !== "none";
  return o.level === "none";
}

export function run(cases: readonly EvalCase[]): Outcome[] {
  return cases.map((c) => {
    const result = triage(c.text, { species: c.species, ...c.profile });
    return { case: c, level: result.level, signs: result.signs.map((s) => s.id) };
  });
}
