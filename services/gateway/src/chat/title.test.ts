import { describe, expect, it } from "vitest";
import { cleanTitle, MAX_MODEL_TITLE_CHARS } from "./title.ts";

describe("cleanTitle", () => {
  it("keeps the first line with text, without a prefix, quotes or markdown", () => {
    expect(cleanTitle('\n  Title: "Puppy vaccination schedule."\nMore text')).toBe(
      "Puppy vaccination schedule",
    );
    expect(cleanTitle("## **고양이 구토 원인**")).toBe("고양이 구토 원인");
    expect(cleanTitle("제목: 「강아지 산책」")).toBe("강아지 산책");
  });

  it("drops control characters and broken bytes, and collapses spaces", () => {
    expect(cleanTitle("Cat\u0000 \u0007itchy\uFFFD\tears")).toBe("Cat itchy ears");
  });

  it("returns null when a tiny model's output has nothing readable", () => {
    expect(cleanTitle("")).toBeNull();
    expect(cleanTitle('  ""\n***\n...')).toBeNull();
    expect(cleanTitle("\uFFFD\uFFFD\u0001")).toBeNull();
  });

  it("bounds a long title at a word, and never splits a character", () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const title = cleanTitle(words) ?? "";
    expect(Array.from(title).length).toBeLessThanOrEqual(MAX_MODEL_TITLE_CHARS);
    expect(title.endsWith("…")).toBe(true);
    expect(words.startsWith(title.slice(0, -1))).toBe(true);
    expect(title.slice(0, -1)).toMatch(/word\d+$/);

    const emoji = "🐶".repeat(200);
    const cut = cleanTitle(`dog ${emoji}`) ?? "";
    expect(Array.from(cut).length).toBeLessThanOrEqual(MAX_MODEL_TITLE_CHARS);
    // In u mode a lone surrogate (half a character) is the only thing this class can match.
    expect(cut).not.toMatch(/[\uD800-\uDFFF]/u);
    expect(cut.startsWith("dog 🐶🐶")).toBe(true);
  });
});
