import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TTurn } from "@dogi/contracts";
import { exportFixture } from "../testing/export-fixture.ts";
import type { ExportFormat } from "./format.ts";
import { jsonFormat } from "./json-document.ts";
import { markdownFormat } from "./markdown.ts";

const { session, turns, exportedAt } = exportFixture;

/**
 * The document written in two pages, split before turn `split`: head and the first turns, then
 * the rest and the end (one page when split is at the end).
 */
function inTwoPages(format: ExportFormat, all: TTurn[], split: number): string {
  const first = format.head(session, all.length, exportedAt) + pieces(format, all, 0, split);
  if (split === all.length) return format.end(first, all.length, exportedAt);
  return first + format.end(pieces(format, all, split, all.length), all.length, exportedAt);
}

function pieces(format: ExportFormat, all: TTurn[], from: number, to: number): string {
  return all
    .slice(from, to)
    .map((turn, i) => format.turn(turn, from + i))
    .join("");
}

// Written by the Markdown export before it was paged: the format must not change.
const golden = JSON.parse(
  readFileSync(new URL("./markdown.golden.json", import.meta.url), "utf8"),
) as Record<string, string>;
const markdownCases: Record<string, TTurn[]> = {
  "every kind of turn": turns,
  "no turns": [],
  "an answer ending in blank space last": turns
    .slice(0, 4)
    .map((t, i) => (i === 3 ? { ...t, answer: "ends  \n\n", citations: [] } : t)),
};

describe("export formats written a page at a time", () => {
  for (const [name, cased] of Object.entries(markdownCases)) {
    it(`writes the Markdown it always wrote, wherever the pages break (${name})`, () => {
      expect(golden[name]).toBeDefined();
      for (let split = 0; split <= cased.length; split += 1)
        expect(inTwoPages(markdownFormat, cased, split)).toBe(golden[name]);
    });
  }

  for (const count of [0, 1, turns.length]) {
    it(`writes exactly what JSON.stringify writes, wherever the pages break (${count} turns)`, () => {
      const some = turns.slice(0, count);
      const whole = `${JSON.stringify({ session, turns: some, exportedAt }, null, 2)}\n`;
      for (let split = 0; split <= count; split += 1)
        expect(inTwoPages(jsonFormat, some, split)).toBe(whole);
    });
  }
});
