import type { ConceptMention } from "./lexicon/index.ts";

// Numbers owners write: "vomited 6 times", "3번 토했어요", "for 4 days", "3일째", "36 hours",
// "8 weeks old", "3개월", "32°C", "64 breaths a minute", "had 5 puppies", "in 2022". No nested
// quantifiers, so each pattern runs in linear time.
const TIMES = /(\d{1,3}) ?(times|x|번|회|차례)(?![a-z])/g;
const DAYS = /(\d{1,3}) ?(days|day|일|nights|night|박)(?![a-z])/g;
const MINUTES = /(\d{1,3}) ?(minutes|minute|mins|min|분)(?![a-z])/g;
const HOURS = /(\d{1,3}) ?(hours|hour|hrs|hr|시간)(?![a-z])/g;
const AGE = /(\d{1,3}(?:\.\d)?) ?(weeks|week|wks|wk|주|months|month|mos|mo|개월|달)(?![a-z])/g;
const TEMPERATURE = /(\d{2,3}) ?(c|f|도|degrees|degree|deg)(?![a-z])/g;
const BREATHS = /(\d{2,3}) ?(breaths|breath|a minute|per minute|a min|per min|bpm|회|번)/g;
// Counted over part of a minute, as vets teach owners to: "30초에 28번", "14 breaths in 15 seconds".
const BREATHS_IN_SECONDS_KO = /(\d{1,2}) ?초(?:에|동안)? ?(\d{1,3}) ?(?:번|회)/g;
const BREATHS_IN_SECONDS_EN =
  /(\d{1,3}) ?breaths? (?:in|per|every) (\d{1,2}) ?(?:seconds|secs|sec)/g;
const LITTER =
  /(had|delivered|gave birth to|birth to|낳은|낳았|출산한) ?(\d{1,2}|a few|some|two|three|four|five|six)? ?(puppies|kittens|pups|babies|마리)/g;
const YEAR = /(?<![\d])(19|20)\d{2}(?![\d])/g;
// "3 months ago", "3주 전", "2달째": a time, not an age.
const NOT_AN_AGE = /^ ?(ago|of|since|later|before|전|째|동안|후|만에|간)/;
const WEEKS = new Set(["weeks", "week", "wks", "wk", "주"]);

type CountedConcept =
  | "long_time"
  | "seizure_cluster"
  | "repeated"
  | "days_long"
  | "three_days"
  | "one_day"
  | "young"
  | "heat"
  | "fast_breathing"
  | "nursing";

/** Concepts that numbers in the text show; a year ("in 2022") is a `past` cue. */
export function countMentions(text: string): ConceptMention[] {
  const found: ConceptMention[] = [];
  const add = (id: CountedConcept, match: RegExpExecArray) =>
    found.push({ kind: "concept", id, start: match.index, end: match.index + match[0].length });
  for (const match of text.matchAll(TIMES)) if (Number(match[1]) >= 3) add("repeated", match);
  for (const match of text.matchAll(DAYS)) {
    const days = Number(match[1]);
    if (days >= 1 && days < 100) add("one_day", match);
    if (days >= 2 && days < 100) add("days_long", match);
    if (days >= 3 && days < 100) add("three_days", match);
  }
  for (const match of text.matchAll(MINUTES)) {
    const minutes = Number(match[1]);
    if (minutes >= 30) add("long_time", match);
    // A seizure of 5 minutes or more is an emergency in itself (AAHA; Merck).
    if (minutes >= 5) add("seizure_cluster", match);
  }
  for (const match of text.matchAll(HOURS)) {
    const hours = Number(match[1]);
    if (hours >= 24) add("one_day", match);
    if (hours >= 48) add("days_long", match);
    if (hours >= 72) add("three_days", match);
  }
  for (const match of text.matchAll(AGE)) {
    const after = match.index + match[0].length;
    if (NOT_AN_AGE.test(text.slice(after, after + 8))) continue;
    const months = WEEKS.has(match[2] ?? "") ? Number(match[1]) / 4.3 : Number(match[1]);
    if (months > 0 && months < 6) add("young", match);
  }
  for (const match of text.matchAll(TEMPERATURE)) {
    const value = Number(match[1]);
    const fahrenheit = match[2] === "f";
    if (fahrenheit ? value >= 85 && value < 130 : value >= 28 && value < 50) add("heat", match);
  }
  for (const match of text.matchAll(BREATHS))
    if (Number(match[1]) >= 40 && Number(match[1]) < 300) add("fast_breathing", match);
  const perMinute = (count: number, seconds: number) =>
    seconds >= 10 ? (count * 60) / seconds : 0;
  for (const match of text.matchAll(BREATHS_IN_SECONDS_KO))
    if (perMinute(Number(match[2]), Number(match[1])) >= 40) add("fast_breathing", match);
  for (const match of text.matchAll(BREATHS_IN_SECONDS_EN))
    if (perMinute(Number(match[1]), Number(match[2])) >= 40) add("fast_breathing", match);
  for (const match of text.matchAll(LITTER)) add("nursing", match);
  for (const match of text.matchAll(YEAR))
    found.push({ kind: "cue", id: "past", start: match.index, end: match.index + match[0].length });
  return found;
}
