import { describe, expect, it } from "vitest";
import type { TRagSearchHit } from "@dogi/contracts";
import { citationsOf, passageExcerpt, restCitations } from "./citations.ts";

describe("passageExcerpt", () => {
  it("keeps a short passage whole, only trimmed", () => {
    expect(passageExcerpt("  초콜릿은 위험합니다.\n")).toBe("초콜릿은 위험합니다.");
  });

  it("cuts a long passage after its last whole sentence (Korean and English)", () => {
    const sentences = [
      "초콜릿은 개에게 위험합니다.",
      "Dark chocolate is worse!",
      "구토를 하면 병원에 가세요.",
    ];
    const text = Array.from({ length: 40 }, (_, i) => sentences[i % 3]).join(" ");
    const cut = passageExcerpt(text, 200);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut).toMatch(/[.!]…$/);
    expect(text.startsWith(cut.slice(0, -1))).toBe(true);
    // Nothing past the last complete sentence is kept.
    expect(cut.length).toBeGreaterThan(200 - 30);
  });

  it("cuts at a space when no sentence ends in the second half", () => {
    const text = `${"word ".repeat(100)}`;
    const cut = passageExcerpt(text, 52);
    expect(cut).toBe(`${"word ".repeat(10).trimEnd()}…`);
  });

  it("never splits a character when it has to cut hard", () => {
    const text = "🐶".repeat(100);
    for (const max of [11, 12, 13]) {
      const cut = passageExcerpt(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.endsWith("…")).toBe(true);
      expect(cut.slice(0, -1)).toBe("🐶".repeat(cut.slice(0, -1).length / 2));
    }
  });
});

describe("citations", () => {
  const hit = (text: string): TRagSearchHit =>
    ({
      text,
      score: 0.5,
      citation: { documentId: "d1", source: "corpus/a.md", title: "A", section: "S" },
      species: "dog",
      language: "ko",
      chunkIds: ["c1"],
      start: 0,
      end: text.length,
    }) as TRagSearchHit;

  it("stores each passage's text, bounded, and shows it numbered in the public form", () => {
    const stored = citationsOf([hit("짧은 구절."), hit("긴 문장입니다. ".repeat(300))]);
    expect(stored[0]).toMatchObject({ source: "corpus/a.md", chunkId: "c1", text: "짧은 구절." });
    expect(stored[1]?.text?.length).toBeLessThanOrEqual(1_500);
    expect(restCitations(stored).map((c) => [c.n, c.text?.slice(0, 5)])).toEqual([
      [1, "짧은 구절"],
      [2, "긴 문장입"],
    ]);
  });
});
