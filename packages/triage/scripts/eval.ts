/**
 * Triage on its evaluation set: recall and false alarms per level and per category, for the dev
 * part (the rules are tuned on it; its misses are listed) and the held-out part (never tuned
 * on; only its figures are printed). The last line is one JSON object with every figure.
 *
 *   pnpm --filter @dogi/triage eval [--misses]
 */
import { readFileSync } from "node:fs";
import { triage } from "../src/index.ts";
import { loadCases } from "./cases.ts";
import type { EvalCase } from "./cases.ts";

type Level = "emergency" | "urgent" | "none";

interface Outcome {
  case: EvalCase;
  level: Level;
  signs: string[];
}

interface Figures {
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

function figures(outcomes: readonly Outcome[]): Figures {
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
function right(o: Outcome): boolean {
  if (o.case.level === "emergency") return o.level === "emergency";
  if (o.case.level === "urgent") return o.level !== "none";
  return o.level === "none";
}

function run(cases: readonly EvalCase[]): Outcome[] {
  return cases.map((c) => {
    const result = triage(c.text, { species: c.species, ...c.profile });
    return { case: c, level: result.level, signs: result.signs.map((s) => s.id) };
  });
}

function print(name: string, f: Figures): void {
  console.log(`\n## ${name}: ${f.cases} cases`);
  console.log(
    `emergency recall ${f.emergencyRecall} · urgent recall ${f.urgentRecall} (exact ${f.urgentExact}) · ` +
      `false alarms ${f.falseAlarmRate} (emergency ${f.emergencyFalseAlarmRate}) · sign recall ${f.signRecall}`,
  );
  for (const [category, c] of Object.entries(f.byCategory).sort())
    console.log(`  ${category.padEnd(26)} ${String(c.right).padStart(3)}/${c.cases}`);
}

const showMisses = process.argv.includes("--misses");
const dir = new URL("../eval/", import.meta.url);
// The dev part is two files written at different times (dev2 by another writer, to test how the
// rules tuned on dev generalize); both are tuned on now.
const dev = run(
  ["dev.jsonl", "dev2.jsonl"].flatMap((file) =>
    loadCases(readFileSync(new URL(file, dir), "utf8")),
  ),
);
const heldOut = run(loadCases(readFileSync(new URL("heldout.jsonl", dir), "utf8")));
const devFigures = figures(dev);
const heldOutFigures = figures(heldOut);
print("dev (tuned on)", devFigures);
if (showMisses)
  for (const o of dev.filter(
    (o) => !right(o) || (o.level !== "none" && !o.case.signs.every((s) => o.signs.includes(s))),
  ))
    console.log(
      `  MISS ${o.case.id} want ${o.case.level} ${o.case.signs.join(",")} got ${o.level} ${o.signs.join(",")}: ${o.case.text}`,
    );
print("held-out (never tuned on)", heldOutFigures);
console.log(
  JSON.stringify({
    dev: { ...devFigures, byCategory: undefined },
    heldOut: { ...heldOutFigures, byCategory: undefined },
    heldOutByCategory: heldOutFigures.byCategory,
  }),
);
