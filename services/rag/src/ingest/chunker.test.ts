import { describe, expect, it } from "vitest";
import { chunkText } from "./chunker.ts";
import { splitSentences } from "./sentences.ts";

const korean =
  "초콜릿은 개에게 위험합니다. 얼마나 먹었나요? 바로 병원에 연락하세요! 작은 양도 문제가 될 수 있어요. 다크 초콜릿이 더 위험하다.";

describe("splitSentences", () => {
  it("ends Korean sentences at 다. 요. 까? and ! and keeps exact offsets", () => {
    const spans = splitSentences(korean);
    const sentences = spans.map((span) => korean.slice(span.start, span.end));
    expect(sentences).toEqual([
      "초콜릿은 개에게 위험합니다.",
      "얼마나 먹었나요?",
      "바로 병원에 연락하세요!",
      "작은 양도 문제가 될 수 있어요.",
      "다크 초콜릿이 더 위험하다.",
    ]);
  });

  it("does not split at abbreviations or decimals", () => {
    const text = "Give 2.5 mg per kg, e.g. with food. Dr. Kim agrees. Then stop.";
    expect(splitSentences(text).map((span) => text.slice(span.start, span.end))).toEqual([
      "Give 2.5 mg per kg, e.g. with food.",
      "Dr. Kim agrees.",
      "Then stop.",
    ]);
  });
});

describe("chunkText", () => {
  const doc = [
    "# Chocolate",
    "",
    "Chocolate contains theobromine. Dogs clear it slowly. Dark chocolate is the worst.",
    "",
    "## When to see a vet at once",
    "",
    "- Vomiting after eating chocolate.",
    "- Tremors or seizures.",
    "",
    "# 초콜릿",
    "",
    korean,
  ].join("\n");

  it("keeps chunks inside one section and records the heading path and offsets", () => {
    const chunks = chunkText(doc, { size: 200, overlap: 0 });
    expect(chunks.map((chunk) => chunk.section)).toEqual([
      "Chocolate",
      "Chocolate > When to see a vet at once",
      "초콜릿",
    ]);
    for (const chunk of chunks) expect(doc.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunks[1]?.text).toBe("- Vomiting after eating chocolate.\n- Tremors or seizures.");
  });

  it("respects the size and repeats whole trailing sentences as overlap", () => {
    const chunks = chunkText(korean, { size: 40, overlap: 20 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(40);
    // Every chunk after the first starts with a sentence the previous one ended with.
    for (let i = 1; i < chunks.length; i += 1) {
      const previous = chunks[i - 1];
      const current = chunks[i];
      if (previous === undefined || current === undefined) throw new Error("missing chunk");
      expect(current.start).toBeLessThanOrEqual(previous.end);
      expect(current.start).toBeGreaterThan(previous.start);
    }
  });

  it("cuts a sentence longer than the chunk size at spaces", () => {
    const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    const chunks = chunkText(long, { size: 100, overlap: 10 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(100);
      expect(chunk.text).not.toMatch(/^\s|\s$/);
    }
    expect(chunks.map((chunk) => chunk.text).join(" ")).toBe(long);
  });

  it("refuses an overlap as large as the size", () => {
    expect(() => chunkText("a. b.", { size: 100, overlap: 100 })).toThrow(/overlap/);
  });
});
