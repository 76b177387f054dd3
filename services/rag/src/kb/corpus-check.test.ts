import { SIGN_IDS } from "@dogi/triage";
import { describe, expect, it } from "vitest";
import {
  checkCorpus,
  loadCorpus,
  parseCorpusDocument,
  unsafeInstructions,
} from "./corpus-check.ts";
import { defaultCorpusDir } from "./seed-corpus.ts";

const today = new Date("2026-12-31T00:00:00Z");

type Overrides = { front?: string; body?: string };

/** The cocoa document in `language`: its title and default body, with `overrides` applied. */
function cocoa(language: "en" | "ko", title: string, body: string, overrides: Overrides) {
  return parseCorpusDocument(
    `cocoa.${language}.md`,
    `---
title: ${title}
species: dog
language: ${language}
topic: toxins
reviewed: 2026-12-01
triage_signs: [toxin_ingested]
sources:
  - ASPCA Animal Poison Control Center, 'Chocolate', 2025
${overrides.front ?? ""}---
${overrides.body ?? body}`,
  );
}

function en(overrides: Overrides = {}) {
  return cocoa(
    "en",
    "Cocoa",
    `# Cocoa

## Signs

Vomiting within 6 to 12 hours; signs from about 20 mg/kg.

## What to do now

Call your vet or a poison line now.

## When to see a vet at once

- Any cocoa eaten
`,
    overrides,
  );
}

function ko(overrides: Overrides = {}) {
  return cocoa(
    "ko",
    "코코아",
    `# 코코아

## 증상

6~12시간 안에 구토합니다. 약 20 mg/kg부터 증상이 납니다.

## 지금 할 일

지금 병원이나 중독 상담 전화에 연락하세요.

## 즉시 병원에 가야 하는 경우

- 코코아를 먹었을 때
`,
    overrides,
  );
}

const signs = ["toxin_ingested"];

describe("corpus check", () => {
  it("the shipped corpus passes: sources, review dates, matching pairs, safe instructions, every triage sign covered", async () => {
    const docs = await loadCorpus(defaultCorpusDir);
    expect(docs.length).toBeGreaterThan(76);
    expect(checkCorpus(docs, { signIds: SIGN_IDS })).toEqual([]);
  });

  it("accepts a complete, matching pair", () => {
    expect(checkCorpus([en(), ko()], { signIds: signs, today })).toEqual([]);
  });

  it("refuses a document without a review date or sources, or with a source that has no year", () => {
    const bare = parseCorpusDocument(
      "cocoa.en.md",
      "---\ntitle: Cocoa\nlanguage: en\n---\n# Cocoa\n\n## When to see a vet at once\n\n- Always\n",
    );
    const problems = checkCorpus([bare, ko()], { signIds: [], today });
    expect(problems).toContainEqual(
      expect.stringMatching(/cocoa\.en\.md: front matter needs reviewed/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/cocoa\.en\.md: front matter needs sources/),
    );
    const noYear = en({ front: "  - A textbook without a date\n" });
    expect(checkCorpus([noYear, ko()], { signIds: [], today })).toContainEqual(
      expect.stringMatching(/source has no year/),
    );
  });

  it("refuses an English/Korean pair whose doses, hours or temperatures differ", () => {
    const body = ko().body.replace("6~12시간", "6~24시간").replace("20 mg/kg", "40 mg/kg");
    const problems = checkCorpus([en(), ko({ body })], { signIds: signs, today });
    expect(problems).toEqual(["cocoa: numbers differ: only in en [12, 20], only in ko [24, 40]"]);
  });

  it("refuses time written in words, which the number check could not compare", () => {
    const body = en().body.replace("6 to 12 hours", "six to twelve hours");
    expect(checkCorpus([en({ body }), ko()], { signIds: signs, today })).toContainEqual(
      expect.stringMatching(/write "six to twelve hours" in digits/),
    );
    const koBody = ko().body.replace("6~12시간 안에 구토합니다.", "이틀 뒤 구토합니다. 6 12");
    expect(checkCorpus([en(), ko({ body: koBody })], { signIds: signs, today })).toContainEqual(
      expect.stringMatching(/write "이틀" in digits/),
    );
  });

  it("refuses a pair whose section headings do not correspond", () => {
    const swapped = ko().body.replace("## 지금 할 일", "## 하지 말아야 할 일");
    expect(checkCorpus([en(), ko({ body: swapped })], { signIds: signs, today })).toContainEqual(
      'cocoa: heading 3 ("What to do now" / "하지 말아야 할 일") should be "What to do now" / "지금 할 일"',
    );
    const missing = ko().body.replace("## 증상\n", "");
    expect(checkCorpus([en(), ko({ body: missing })], { signIds: signs, today })).toContainEqual(
      "cocoa: 4 headings in en, 3 in ko",
    );
  });

  it("refuses a what-to-do section that says to induce vomiting, give a human medicine or wait", () => {
    for (const sentence of [
      "Make your dog vomit with a teaspoon of salt.",
      "Give hydrogen peroxide by mouth.",
      "Give half an aspirin for the pain.",
      "Wait and see whether signs appear.",
    ]) {
      const body = en().body.replace("Call your vet or a poison line now.", sentence);
      expect(checkCorpus([en({ body }), ko()], { signIds: signs, today }), sentence).toHaveLength(
        1,
      );
    }
    for (const sentence of [
      "구토를 유도할 수 있습니다.",
      "진통제를 먹이세요.",
      "증상이 생기는지 지켜보세요.",
    ]) {
      const body = ko().body.replace("지금 병원이나 중독 상담 전화에 연락하세요.", sentence);
      expect(checkCorpus([en(), ko({ body })], { signIds: signs, today }), sentence).toHaveLength(
        1,
      );
    }
  });

  it("lets the vet or poison line decide, and lets the document forbid", () => {
    expect(unsafeInstructions("Only if your vet tells you to, make your dog vomit.", "en")).toEqual(
      [],
    );
    expect(unsafeInstructions("Do not wait for signs.", "en")).toEqual([]);
    expect(unsafeInstructions("Never give a cat aspirin.", "en")).toEqual([]);
    expect(unsafeInstructions("병원에서 구토를 유도할 수 있습니다.", "ko")).toEqual([]);
    expect(unsafeInstructions("증상을 기다리지 마세요.", "ko")).toEqual([]);
    expect(unsafeInstructions("The vomiting can be induced later.", "en")).toHaveLength(1);
  });

  it("refuses a triage sign that no document covers in both languages", () => {
    const problems = checkCorpus([en(), ko({ front: "" })], {
      signIds: ["toxin_ingested", "choking"],
      today,
    });
    expect(problems).toEqual([
      'triage sign "choking" has no en document (triage_signs)',
      'triage sign "choking" has no ko document (triage_signs)',
    ]);
    const unknown = en().body;
    const typo = parseCorpusDocument(
      "cocoa.en.md",
      `---\ntitle: Cocoa\nspecies: dog\nlanguage: en\ntopic: toxins\nreviewed: 2026-12-01\ntriage_signs: [toxin_ingestd]\nsources:\n  - ASPCA Animal Poison Control Center, 'Chocolate', 2025\n---\n${unknown}`,
    );
    expect(checkCorpus([typo, ko()], { signIds: signs, today })).toContainEqual(
      'cocoa.en.md: triage_signs names an unknown sign "toxin_ingestd"',
    );
  });
});
