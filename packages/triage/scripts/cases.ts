import { SIGN_IDS } from "../src/index.ts";

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
