import type { TLocale, TTriage, TTriageLevel, TTriageSign } from "@dogi/contracts";
import { findMentions } from "./lexicon/index.ts";
import type { ConceptId } from "./lexicon/index.ts";
import { triageMessage } from "./message.ts";
import { normalize } from "./normalize.ts";
import { readQuestion } from "./read-question.ts";
import type { Mention } from "./read-question.ts";
import { RULES } from "./rules.ts";
import type { Need, Rule } from "./rules.ts";
import { SIGNS } from "./signs.ts";
import type { SignId } from "./signs.ts";

/** What the pet's profile tells triage; every field is optional. */
export interface TriagePet {
  name?: string | null;
  species?: "dog" | "cat" | null;
  sex?: "male" | "female" | "unknown" | null;
  neutered?: boolean | null;
  /** Age in years (0.25 is three months). */
  ageYears?: number | null;
  breed?: string | null;
  weightKg?: number | null;
  knownConditions?: readonly string[] | null;
  /** What the pet's health record shows (an unvaccinated puppy, a pet on insulin), with its words. */
  recordFacts?: readonly RecordFact[] | null;
}

/** The concepts a health record can show triage. */
export type RecordConcept = "unvaccinated" | "diabetic" | "epilepsy_known";

/** One fact of the health record: its concept and the record's words, in both languages. */
export interface RecordFact {
  concept: RecordConcept;
  evidence: { en: string; ko: string };
}

/** The level, signs and fixed message for a question; level "none" has no signs and no message. */
export type TriageResult =
  | (TTriage & { language: TLocale })
  | { level: "none"; signs: []; message: null; language: TLocale };

/** Korean when the text has Hangul, else English: the language a question is answered in. */
export function languageOf(text: string): TLocale {
  return /[\u3131-\u318e\uac00-\ud7a3]/.test(text) ? "ko" : "en";
}

interface Fact {
  concept: ConceptId;
  /** What the profile says, in the user's language, as evidence. */
  evidence: { en: string; ko: string };
}

/** Facts from the pet's profile that count as if the owner had said them. */
function profileFacts(pet: TriagePet | undefined): Fact[] {
  if (!pet) return [];
  const facts: Fact[] = [];
  const add = (concept: ConceptId, en: string, ko: string) =>
    facts.push({ concept, evidence: { en, ko } });
  if (pet.species === "cat") add("cat", "profile: cat", "프로필: 고양이");
  if (pet.species === "dog") add("dog", "profile: dog", "프로필: 강아지");
  if (pet.sex === "male") add("male", "profile: male", "프로필: 수컷");
  if (pet.sex === "female") {
    add("female", "profile: female", "프로필: 암컷");
    if (pet.neutered === false) add("intact_female", "profile: not spayed", "프로필: 중성화 안 함");
  }
  if (typeof pet.ageYears === "number" && pet.ageYears >= 0 && pet.ageYears < 0.5)
    add(
      "young",
      `profile: ${Math.round(pet.ageYears * 12)} months old`,
      `프로필: ${Math.round(pet.ageYears * 12)}개월`,
    );
  if (
    typeof pet.weightKg === "number" &&
    pet.weightKg > 0 &&
    pet.weightKg < 2 &&
    pet.species === "dog"
  )
    add("toy_breed", `profile: ${pet.weightKg} kg`, `프로필: ${pet.weightKg}kg`);
  for (const fact of pet.recordFacts ?? []) add(fact.concept, fact.evidence.en, fact.evidence.ko);
  const described = [pet.breed ?? "", ...(pet.knownConditions ?? [])].join(" . ").slice(0, 2_000);
  for (const m of findMentions(normalize(described).text)) {
    if (m.kind !== "concept") continue;
    if (m.id === "large_breed" || m.id === "toy_breed")
      add(m.id, `profile: ${pet.breed ?? ""}`, `프로필: ${pet.breed ?? ""}`);
    if (m.id === "diabetic" || m.id === "epilepsy_known")
      add(m.id, "profile: known condition", "프로필: 기존 질환");
  }
  return facts;
}

interface Evidence {
  mentions: Mention[];
  facts: Fact[];
}

/** What a question and profile show, by concept. */
interface Shown {
  mentions: Map<ConceptId, Mention[]>;
  facts: Map<ConceptId, Fact>;
}

function idsOf(need: Need): readonly ConceptId[] {
  return typeof need === "string"
    ? [need]
    : Array.isArray(need)
      ? (need as readonly ConceptId[])
      : [];
}

// At most this many mentions of one concept are paired in a `near` need: enough for any real
// question, and it keeps an adversarial question of one repeated word from pairing n × n.
const NEAR_CANDIDATES = 16;

function candidates(need: Need, shown: Shown): Mention[] {
  const found: Mention[] = [];
  for (const id of idsOf(need))
    found.push(...(shown.mentions.get(id) ?? []).slice(0, NEAR_CANDIDATES));
  return found;
}

/** Satisfies one need from what was shown, or returns null. */
function satisfy(need: Need, shown: Shown): Evidence | null {
  if (typeof need === "string" || Array.isArray(need)) {
    for (const id of idsOf(need)) {
      const mention = shown.mentions.get(id)?.[0];
      if (mention) return { mentions: [mention], facts: [] };
    }
    for (const id of idsOf(need)) {
      const fact = shown.facts.get(id);
      if (fact) return { mentions: [], facts: [fact] };
    }
    return null;
  }
  if ("times" in need) {
    const said = shown.mentions.get(need.times) ?? [];
    // Overlapping mentions ("throw up" in "throwing up") are one saying.
    const apart = said.filter((m, i) => i === 0 || m.start >= (said[i - 1] as Mention).end);
    return apart.length >= need.atLeast
      ? { mentions: apart.slice(0, need.atLeast), facts: [] }
      : null;
  }
  const {
    near,
    within = 30,
    scope = "clause",
  } = need as {
    near: readonly [Need, Need];
    within?: number;
    scope?: "clause" | "sentence";
  };
  const together = (a: Mention, b: Mention) =>
    scope === "clause" ? a.clause === b.clause : a.sentence === b.sentence;
  const right = candidates(near[1], shown);
  for (const a of candidates(near[0], shown))
    for (const b of right)
      if (
        together(a, b) &&
        (a.start !== b.start || a.end !== b.end) &&
        Math.max(a.start, b.start) - Math.min(a.end, b.end) <= within
      )
        return { mentions: [a, b], facts: [] };
  return null;
}

function apply(rule: Rule, shown: Shown): Evidence | null {
  if (rule.none?.some((id) => shown.mentions.has(id) || shown.facts.has(id))) return null;
  const evidence: Evidence = { mentions: [], facts: [] };
  for (const need of rule.all) {
    const met = satisfy(need, shown);
    if (!met) return null;
    evidence.mentions.push(...met.mentions);
    evidence.facts.push(...met.facts);
  }
  return evidence;
}

const RANK: Record<TTriageLevel, number> = { urgent: 1, emergency: 2 };

/**
 * Triage of an owner's question, before and independent of any model: the signs it describes
 * (see signs.ts and rules.ts), the level (emergency: go now; urgent: within 24 hours), the words
 * that showed each sign, and the fixed message for the level in the question's language. Any
 * string gets a result, never an error, in time linear in its length.
 */
export function triage(question: string, pet?: TriagePet): TriageResult {
  const language = languageOf(question);
  const { mentions } = readQuestion(
    typeof question === "string" ? question : "",
    pet?.name ?? undefined,
  );
  const shown: Shown = { mentions: new Map(), facts: new Map() };
  for (const m of mentions) {
    const list = shown.mentions.get(m.concept);
    if (list) list.push(m);
    else shown.mentions.set(m.concept, [m]);
  }
  for (const fact of profileFacts(pet))
    if (!shown.facts.has(fact.concept)) shown.facts.set(fact.concept, fact);
  const best = new Map<SignId, { level: TTriageLevel; evidence: Evidence }>();
  for (const rule of RULES) {
    const current = best.get(rule.sign);
    if (current && RANK[current.level] >= RANK[rule.level]) continue;
    const evidence = apply(rule, shown);
    if (evidence) best.set(rule.sign, { level: rule.level, evidence });
  }
  if (best.size === 0) return { level: "none", signs: [], message: null, language };
  const level: TTriageLevel = [...best.values()].some((s) => s.level === "emergency")
    ? "emergency"
    : "urgent";
  const signs: TTriageSign[] = [...best.entries()]
    .filter(([, s]) => s.level === level)
    .map(([id, s]) => ({
      id,
      label: SIGNS[id].label[language],
      level: s.level,
      evidence: evidenceOf(s.evidence, language),
    }));
  return {
    level,
    signs,
    message: triageMessage(level, signs, language),
    source: "rules",
    language,
  };
}

function evidenceOf(evidence: Evidence, language: TLocale): string[] {
  const quotes = evidence.mentions.map((m) => `“${m.quote}”`);
  const facts = evidence.facts.map((f) => f.evidence[language]);
  return [...new Set([...quotes, ...facts])].slice(0, 12);
}
