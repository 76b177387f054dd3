import { readFile } from "node:fs/promises";
import path from "node:path";
import type { FrontMatter } from "../ingest/front-matter.ts";
import { scalar, splitFrontMatter } from "../ingest/front-matter.ts";
import { corpusFiles } from "./seed-corpus.ts";

/** One Markdown heading of a corpus document and the text under it. */
export interface CorpusSection {
  level: number;
  heading: string;
  text: string;
}

/** A corpus file as the check reads it: `TOPIC.LANG.md`, its front matter and sections. */
export interface CorpusDocument {
  file: string;
  topic: string;
  language: string;
  data: FrontMatter;
  body: string;
  sections: CorpusSection[];
}

export interface CorpusCheckOptions {
  /** Every sign triage can report; each needs a "see a vet at once" section in both languages. */
  signIds: readonly string[];
  /** Review dates after this day are refused (tests pass a fixed day). */
  today?: Date;
}

/** The section every document ends with: the one a chat turn cites for "see a vet now". */
export const seeVetHeadings = { en: "When to see a vet at once", ko: "즉시 병원에 가야 하는 경우" };

/**
 * Headings that mean the same thing in both languages. A heading in this list must face its
 * counterpart at the same place in the other language; other headings must face a heading of
 * the same level.
 */
const headingPairs: readonly (readonly [string, string])[] = [
  ["What it is", "무엇인가요"],
  ["Signs", "증상"],
  ["What to do now", "지금 할 일"],
  ["What not to do", "하지 말아야 할 일"],
  [seeVetHeadings.en, seeVetHeadings.ko],
  ["First aid", "응급 처치"],
  ["During a seizure", "발작 중에 할 일"],
  ["Care at home for a mild case", "가벼운 경우 집에서 돌보기"],
  ["Care", "관리"],
  ["Treatment", "치료"],
  ["Treatment and prevention", "치료와 예방"],
  ["Prevention", "예방"],
];

/** Sections that tell an owner what to do; their sentences are held to the safety rules. */
const actionHeadings = new Set([
  "What to do now",
  "지금 할 일",
  "First aid",
  "응급 처치",
  "During a seizure",
  "발작 중에 할 일",
  "Care at home for a mild case",
  "가벼운 경우 집에서 돌보기",
]);

interface UnsafeRule {
  name: string;
  en: RegExp;
  ko: RegExp;
}

const unsafeRules: readonly UnsafeRule[] = [
  {
    name: "induce vomiting",
    en: /\b(?:induc\w*\s+(?:\w+\s+)?vomit\w*|vomit\w*\s+(?:\w+\s+){0,3}induced|make\s+(?:\w+\s+){0,3}(?:vomit|throw\s+up|sick)|hydrogen\s+peroxide|emesis)\b/i,
    ko: /구토를?\s*유도|토하게|과산화수소/,
  },
  {
    name: "give a human medicine",
    en: /\b(?:aspirin|ibuprofen|naproxen|acetaminophen|paracetamol|tylenol|antihistamines?|diphenhydramine|benadryl|human\s+(?:medicines?|medications?|drugs?|painkillers?|pain\s+relievers?)|painkillers?)\b/i,
    ko: /아스피린|이부프로펜|나프록센|아세트아미노펜|타이레놀|항히스타민|사람\s*약|사람용\s*(?:약|진통제)|진통제|해열제/,
  },
  {
    name: "wait",
    en: /\b(?:wait|watch\s+and\s+see|see\s+if\s+it|monitor\s+at\s+home|keep\s+an\s+eye)\b/i,
    ko: /기다리|기다려|지켜보|지켜\s*보|경과를\s*보/,
  },
];

/** Naming the vet or a poison line makes them the one who decides. */
const decider = {
  en: /\b(?:vets?|veterinar\w*|poison\s+(?:line|control|helpline)s?|helpline|clinic|hospital)\b/i,
  ko: /수의사|병원|중독\s*상담/,
};

/** A prohibition ("do not wait") is not an instruction to do the thing. */
function isNegated(sentence: string, index: number, length: number, language: string): boolean {
  if (language === "ko")
    return /^.{0,24}?(?:마세요|말고|말아|않|금지|안\s*됩니다|안\s*돼)/.test(
      sentence.slice(index + length),
    );
  return /\b(?:do\s+not|don't|never|no\s+need\s+to|not|without)\b[^.;:]{0,40}$/i.test(
    sentence.slice(0, index),
  );
}

const englishNumber = "(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)";
const timeUnit = "(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)";
/** Quantities of time spelled out in words: the number check can only compare digits. */
const wordQuantity = {
  en: new RegExp(
    `\\b${englishNumber}(?:\\s+(?:to|or)\\s+${englishNumber})?\\s+${timeUnit}\\b`,
    "i",
  ),
  ko: /이틀|사흘|나흘|(?:한두|두세|서너)\s*(?:시간|일|주|달|개월|년|분)/,
};

/** Splits a corpus file into front matter and `#` sections. */
export function parseCorpusDocument(file: string, text: string): CorpusDocument {
  const name = path.basename(file, ".md");
  const dot = name.lastIndexOf(".");
  const { data, body } = splitFrontMatter(text);
  const sections: CorpusSection[] = [];
  for (const line of body.split(/\r?\n/)) {
    const heading = /^(#{1,6})\s+(.*?)\s*$/.exec(line);
    if (heading !== null) {
      sections.push({ level: heading[1]?.length ?? 1, heading: heading[2] ?? "", text: "" });
      continue;
    }
    const current = sections[sections.length - 1];
    if (current !== undefined) current.text += `${line}\n`;
  }
  return {
    file: path.basename(file),
    topic: dot === -1 ? name : name.slice(0, dot),
    language: dot === -1 ? "" : name.slice(dot + 1),
    data,
    body,
    sections,
  };
}

/** Reads every corpus file of a folder (README excluded). */
export async function loadCorpus(dir: string): Promise<CorpusDocument[]> {
  const files = await corpusFiles(dir);
  return Promise.all(
    files.map(async (file) => parseCorpusDocument(file, await readFile(file, "utf8"))),
  );
}

function list(data: FrontMatter, key: string): string[] {
  const value = data[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every number in a text (doses, hours, temperatures, ages), as written, thousands separators removed. */
export function numbersIn(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.matchAll(/\d+(?:,\d{3})*(?:\.\d+)?/g)) {
    found.add(match[0].replace(/,(?=\d{3})/g, ""));
  }
  return found;
}

function sentencesOf(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+/)
    .map((sentence) => sentence.replace(/^\s*[-*]\s+/, "").trim())
    .filter((sentence) => sentence !== "");
}

/** Sentences of an owner-action section that tell the owner to do something only a vet should decide. */
export function unsafeInstructions(text: string, language: string): string[] {
  const problems: string[] = [];
  for (const sentence of sentencesOf(text)) {
    if ((language === "ko" ? decider.ko : decider.en).test(sentence)) continue;
    for (const rule of unsafeRules) {
      const pattern = language === "ko" ? rule.ko : rule.en;
      const match = pattern.exec(sentence);
      if (match !== null && !isNegated(sentence, match.index, match[0].length, language)) {
        problems.push(`${rule.name}: "${sentence}"`);
      }
    }
  }
  return problems;
}

function checkDocument(doc: CorpusDocument, options: CorpusCheckOptions): string[] {
  const problems: string[] = [];
  const say = (message: string) => problems.push(`${doc.file}: ${message}`);
  if (doc.language !== "en" && doc.language !== "ko")
    say("name the file TOPIC.en.md or TOPIC.ko.md");
  if (scalar(doc.data, "language") !== doc.language)
    say(`front matter language is not ${doc.language}`);
  if ((scalar(doc.data, "title") ?? "") === "") say("front matter has no title");

  const reviewed = scalar(doc.data, "reviewed") ?? "";
  const reviewedDay = /^\d{4}-\d{2}-\d{2}$/.test(reviewed)
    ? new Date(`${reviewed}T00:00:00Z`)
    : undefined;
  if (reviewedDay === undefined || Number.isNaN(reviewedDay.getTime())) {
    say(
      "front matter needs reviewed: YYYY-MM-DD (the day the document was last checked against its sources)",
    );
  } else if (reviewedDay.getTime() > (options.today ?? new Date()).getTime()) {
    say(`reviewed ${reviewed} is in the future`);
  }

  const sources = list(doc.data, "sources");
  if (sources.length === 0) say("front matter needs sources: at least one authoritative reference");
  for (const source of sources) {
    if (!/\b(?:19|20)\d{2}\b/.test(source)) say(`source has no year: "${source}"`);
  }

  for (const sign of list(doc.data, "triage_signs")) {
    if (!options.signIds.includes(sign)) say(`triage_signs names an unknown sign "${sign}"`);
  }
  const seeVet = doc.language === "ko" ? seeVetHeadings.ko : seeVetHeadings.en;
  const seeVetSection = doc.sections.find((section) => section.heading === seeVet);
  if (seeVetSection === undefined || seeVetSection.text.trim() === "") {
    say(`needs a non-empty "${seeVet}" section`);
  }

  for (const section of doc.sections) {
    if (!actionHeadings.has(section.heading)) continue;
    for (const problem of unsafeInstructions(section.text, doc.language)) {
      say(
        `"${section.heading}" tells the owner to ${problem} (name the vet or poison line as the one who decides)`,
      );
    }
  }
  const spelled = (doc.language === "ko" ? wordQuantity.ko : wordQuantity.en).exec(doc.body);
  if (spelled !== null) say(`write "${spelled[0]}" in digits so both languages can be compared`);
  return problems;
}

function checkPair(en: CorpusDocument, ko: CorpusDocument): string[] {
  const problems: string[] = [];
  const say = (message: string) => problems.push(`${en.topic}: ${message}`);
  for (const key of ["species", "topic"]) {
    if (scalar(en.data, key) !== scalar(ko.data, key)) say(`${key} differs between en and ko`);
  }
  for (const key of ["triage_signs", "sources"]) {
    const a = [...list(en.data, key)].sort().join("\n");
    const b = [...list(ko.data, key)].sort().join("\n");
    if (a !== b) say(`${key} differ between en and ko`);
  }

  const enNumbers = numbersIn(en.body);
  const koNumbers = numbersIn(ko.body);
  const onlyEn = [...enNumbers].filter((n) => !koNumbers.has(n));
  const onlyKo = [...koNumbers].filter((n) => !enNumbers.has(n));
  if (onlyEn.length > 0 || onlyKo.length > 0) {
    say(`numbers differ: only in en [${onlyEn.join(", ")}], only in ko [${onlyKo.join(", ")}]`);
  }

  if (en.sections.length !== ko.sections.length) {
    say(`${en.sections.length} headings in en, ${ko.sections.length} in ko`);
    return problems;
  }
  en.sections.forEach((enSection, index) => {
    const koSection = ko.sections[index];
    if (koSection === undefined) return;
    const where = `heading ${index + 1} ("${enSection.heading}" / "${koSection.heading}")`;
    if (enSection.level !== koSection.level) say(`${where} has a different level`);
    const pair = headingPairs.find(([a, b]) => a === enSection.heading || b === koSection.heading);
    if (pair !== undefined && (pair[0] !== enSection.heading || pair[1] !== koSection.heading)) {
      say(`${where} should be "${pair[0]}" / "${pair[1]}"`);
    }
  });
  return problems;
}

/**
 * Everything wrong with a corpus, one line each: missing review date or sources, an English and
 * Korean pair whose numbers or headings differ, an owner-action section that tells the owner to
 * induce vomiting, give a human medicine or wait without naming the vet or poison line, and a
 * triage sign that no document in each language covers.
 */
export function checkCorpus(
  docs: readonly CorpusDocument[],
  options: CorpusCheckOptions,
): string[] {
  const problems = docs.flatMap((doc) => checkDocument(doc, options));
  const byTopic = new Map<string, Map<string, CorpusDocument>>();
  for (const doc of docs) {
    const languages = byTopic.get(doc.topic) ?? new Map<string, CorpusDocument>();
    languages.set(doc.language, doc);
    byTopic.set(doc.topic, languages);
  }
  for (const [topic, languages] of byTopic) {
    const en = languages.get("en");
    const ko = languages.get("ko");
    if (en === undefined || ko === undefined) {
      problems.push(`${topic}: needs both ${topic}.en.md and ${topic}.ko.md`);
      continue;
    }
    problems.push(...checkPair(en, ko));
  }
  for (const sign of options.signIds) {
    for (const language of ["en", "ko"]) {
      const covered = docs.some(
        (doc) => doc.language === language && list(doc.data, "triage_signs").includes(sign),
      );
      if (!covered)
        problems.push(`triage sign "${sign}" has no ${language} document (triage_signs)`);
    }
  }
  return problems;
}
