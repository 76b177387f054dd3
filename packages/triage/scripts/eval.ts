/**
 * Triage on its evaluation set: recall and false alarms per level and per category, for the dev
 * part (the rules are tuned on it; its misses are listed) and the held-out part (never tuned
 * on; only its figures are printed). The last line is one JSON object with every figure.
 *
 *   pnpm --filter @dogi/triage eval [--misses]
 */
import { figures, loadEvalSet, right, run } from "./cases.ts";
import type { Figures } from "./cases.ts";

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
const set = loadEvalSet();
const dev = run(set.dev);
const heldOut = run(set.heldOut);
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
