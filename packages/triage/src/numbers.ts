import type { ConceptMention } from "./lexicon/index.ts";

// Counts written as digits: "vomited 6 times", "3번 토했어요", "for 4 days", "3일째", "8 weeks old",
// "3개월". No nested quantifiers, so each pattern runs in linear time.
const TIMES = /(\d{1,3}) ?(times|x|번|회|차례)(?![a-z])/g;
const DAYS = /(\d{1,3}) ?(days|day|일|nights|night|박)(?![a-z])/g;
const AGE = /(\d{1,3}(?:\.\d)?) ?(weeks|week|wks|wk|주|months|month|mos|mo|개월|달)(?![a-z])/g;
// "3 months ago", "3주 전", "2달째": a time, not an age.
const NOT_AN_AGE = /^ ?(ago|of|since|later|before|전|째|동안|후|만에|간)/;
const WEEKS = new Set(["weeks", "week", "wks", "wk", "주"]);

type CountedConcept = "repeated" | "days_long" | "three_days" | "young";

/** Concepts that numbers in the text show: repeated (≥ 3 times), days_long, three_days, young. */
export function countMentions(text: string): ConceptMention[] {
  const found: ConceptMention[] = [];
  const add = (id: CountedConcept, match: RegExpExecArray) =>
    found.push({ kind: "concept", id, start: match.index, end: match.index + match[0].length });
  for (const match of text.matchAll(TIMES)) if (Number(match[1]) >= 3) add("repeated", match);
  for (const match of text.matchAll(DAYS)) {
    const days = Number(match[1]);
    if (days >= 2 && days < 100) add("days_long", match);
    if (days >= 3 && days < 100) add("three_days", match);
  }
  for (const match of text.matchAll(AGE)) {
    const after = match.index + match[0].length;
    if (NOT_AN_AGE.test(text.slice(after, after + 8))) continue;
    const months = WEEKS.has(match[2] ?? "") ? Number(match[1]) / 4.3 : Number(match[1]);
    if (months > 0 && months < 6) add("young", match);
  }
  return found;
}
