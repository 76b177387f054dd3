/**
 * Triage speed on long and adversarial questions, side by side with a reference: the floor of
 * any reader of the same text (Unicode normalization and lower-casing once, which triage does
 * too). Prints p50/p99 per input kind and one JSON object last.
 *
 *   pnpm --filter @dogi/triage bench [--rounds N]
 */
import { triage } from "../src/index.ts";

const CHARS = 8_000;

function fill(unit: string): string {
  return unit.repeat(Math.ceil(CHARS / unit.length)).slice(0, CHARS);
}

// An owner's long message: mixed languages, many symptom words, negations and a real emergency.
const OWNER =
  "We moved house last month and Bori (my 7 year old lab) has been a bit off, no vomiting but he " +
  "drinks a lot. 어제부터 밥을 잘 안먹고 배가 좀 빵빵한것같아요ㅠㅠ 산책은 했어요. Tonight he keeps " +
  "trying to vomit but nothing comes up and his belly feels tight. 발작은 없었어요. ";

const INPUTS: Record<string, string> = {
  owner_message: fill(OWNER),
  one_letter: "a".repeat(CHARS),
  one_syllable: "가".repeat(CHARS),
  repeated_term: fill("vomit "),
  repeated_negation: fill("no no not never "),
  nested_star_terms: fill("chocolates"),
  korean_no_spaces: fill("초콜릿먹었어요헛구역질배가빵빵"),
  mixed_scripts: fill("강아지 dog 고양이 cat 🐶 초콜릿 chocolate ₩1,000 ½ ﬁ "),
  emoji: fill("🐶🐱💉🩸"),
  punctuation: fill("?!.,;~…"),
  digits: fill("3번 5 times 40 breaths 32°C 2 weeks "),
};

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 1000) / 1000;
}

function time(fn: () => unknown, rounds: number): { p50: number; p99: number } {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const roundsArg = process.argv.indexOf("--rounds");
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 300;

const results: Record<
  string,
  { triage: { p50: number; p99: number }; floor: { p50: number; p99: number }; level: string }
> = {};
// Warm up on every input first, so that no input pays for the JIT's tiering alone.
for (let i = 0; i < 200; i++) for (const text of Object.values(INPUTS)) triage(text);
for (let i = 0; i < 200; i++)
  for (const text of Object.values(INPUTS)) text.normalize("NFKC").toLowerCase();
console.log(`triage of ${CHARS}-character questions, ${rounds} rounds each (ms)`);
console.log(
  `${"input".padEnd(20)} ${"triage p50".padStart(10)} ${"p99".padStart(8)} ${"floor p50".padStart(10)} ${"p99".padStart(8)}  level`,
);
for (const [name, text] of Object.entries(INPUTS)) {
  const level = triage(text).level;
  const measured = time(() => triage(text), rounds);
  const floor = time(() => text.normalize("NFKC").toLowerCase(), rounds);
  results[name] = { triage: measured, floor, level };
  console.log(
    `${name.padEnd(20)} ${String(measured.p50).padStart(10)} ${String(measured.p99).padStart(8)} ${String(floor.p50).padStart(10)} ${String(floor.p99).padStart(8)}  ${level}`,
  );
}
const worstP99 = Math.max(...Object.values(results).map((r) => r.triage.p99));
console.log(`worst p99 ${worstP99} ms (target ≤ 2 ms)`);
console.log(JSON.stringify({ chars: CHARS, rounds, worstP99, results }));
