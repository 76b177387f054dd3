import { addDays, daysBetween, doseName, latestOf } from "@dogi/contracts";
import type { TEntryOf, THealthRecord, TPet } from "@dogi/contracts";
import type { RecordFact } from "@dogi/triage";

/** What the health record adds to a chat turn: lines for the pet profile, and facts for triage. */
export interface RecordForPrompt {
  /** Short lines for the prompt's pet profile, after the pet's own line; empty when nothing to say. */
  profileLines: string[];
  /** The record's facts for triage (TriagePet.recordFacts), each with its words as evidence. */
  triageFacts: RecordFact[];
  /** What retrieval should favour besides the profile's conditions: the current medications. */
  retrievalTerms: string[];
}

/** How far back a weight still tells the current trend, and a visit is still "recent". */
const RECENT_DAYS = 180;
/** A weight change above this share within RECENT_DAYS is worth the model's attention. */
const NOTABLE_WEIGHT_CHANGE = 0.1;
/** Younger than this (in days), a pet is still in its first vaccine series. */
const FIRST_SERIES_DAYS = 365;
/** At most this many items of one list in the profile, so that a long record cannot fill the prompt. */
const MAX_ITEMS = 6;

// Drug names that show a condition triage weighs (hypoglycaemia on insulin, a known epileptic).
const INSULIN = /insulin|caninsulin|vetsulin|prozinc|lantus|levemir|glargine|detemir|인슐린/i;
const ANTI_EPILEPTIC =
  /phenobarb|levetiracetam|keppra|bromide|zonisamide|imepitoin|pexion|gabapentin.*seizure|페노바비탈|레베티라세탐|항경련/i;

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** A pet's age on `today` as a vet counts it: weeks under a month, months under two years, then years. */
export function ageParts(
  birthDate: string | null,
  today: string,
): { count: number; unit: "weeks" | "months" | "years" } | null {
  if (!birthDate || birthDate > today) return null;
  const [by, bm, bd] = birthDate.split("-").map(Number) as [number, number, number];
  const [ty, tm, td] = today.split("-").map(Number) as [number, number, number];
  const months = (ty - by) * 12 + (tm - bm) - (td < bd ? 1 : 0);
  if (months < 1) return { count: Math.floor(daysBetween(birthDate, today) / 7), unit: "weeks" };
  if (months < 24) return { count: months, unit: "months" };
  return { count: Math.floor(months / 12), unit: "years" };
}

/** A pet's age on `today` in English words, or null when its birth date is unknown. */
export function ageText(birthDate: string | null, today: string): string | null {
  const age = ageParts(birthDate, today);
  return age ? `${age.count} ${age.unit}` : null;
}

type Vaccination = TEntryOf<"vaccination">;
type Parasite = TEntryOf<"parasite">;

function dueText(dueOn: string | null, today: string): string {
  if (!dueOn) return "";
  const left = daysBetween(today, dueOn);
  if (left < 0) return `, next due ${dueOn} (OVERDUE by ${-left} days)`;
  if (left <= 30) return `, next due ${dueOn} (in ${left} days)`;
  return `, next due ${dueOn}`;
}

const parasiteDue = (entry: Parasite) => addDays(entry.date, entry.intervalDays);

/** Current medications: started by today and not ended before it. */
export function currentMedications(record: THealthRecord, today: string) {
  return record.medications.filter((m) => m.from <= today && (m.to === null || m.to >= today));
}

function weightTrend(record: THealthRecord, today: string): string | null {
  const recent = record.weights.filter(
    (w) => w.date <= today && daysBetween(w.date, today) <= RECENT_DAYS,
  );
  const last = recent.at(-1);
  if (!last) return null;
  const first = recent[0];
  if (!first || first === last) return `weight ${last.kg} kg on ${last.date}`;
  const change = (last.kg - first.kg) / first.kg;
  const trend =
    Math.abs(change) < 0.02 ? "stable" : `${change > 0 ? "+" : ""}${Math.round(change * 100)}%`;
  const notable = Math.abs(change) >= NOTABLE_WEIGHT_CHANGE ? " (notable change)" : "";
  return `weight ${last.kg} kg on ${last.date}; ${first.kg} kg on ${first.date}: ${trend}${notable}`;
}

/**
 * The short text the chat turn's pet profile carries from the pet's health record (age,
 * vaccination status, parasite prevention, current medications, allergies, weight trend, a
 * recent vet visit), and the facts triage weighs: an unvaccinated young pet, a pet on insulin or
 * on an anti-epileptic. `today` is the owner's date (YYYY-MM-DD, Asia/Seoul by default).
 * The owner typed these words: the caller keeps them inside the prompt's data tags.
 */
export function recordForPrompt(options: {
  pet: TPet;
  record: THealthRecord | null;
  today: string;
}): RecordForPrompt {
  const { pet, record, today } = options;
  const lines: string[] = [];
  const facts: RecordFact[] = [];
  const age = ageText(pet.birthDate, today);
  if (age) lines.push(`age: ${age}`);
  if (!record) return { profileLines: lines, triageFacts: facts, retrievalTerms: [] };

  const vaccines = latestOf(record.vaccinations, (v: Vaccination) => doseName(v.vaccine));
  const kept = Object.entries(record).some(
    ([key, list]) => key !== "petId" && Array.isArray(list) && list.length > 0,
  );
  if (vaccines.length)
    lines.push(
      `vaccinations: ${vaccines
        .slice(-MAX_ITEMS)
        .map((v) => `${cut(v.vaccine, 40)} given ${v.date}${dueText(v.nextDue, today)}`)
        .join("; ")}`,
    );
  else if (kept) lines.push("vaccinations: none recorded");

  const young =
    pet.birthDate !== null &&
    pet.birthDate <= today &&
    daysBetween(pet.birthDate, today) < FIRST_SERIES_DAYS;
  if (young) {
    // Only a record the owner keeps speaks of vaccines: an empty one says nothing either way.
    const overdue = vaccines.filter((v) => v.nextDue !== null && v.nextDue < today);
    if (kept && vaccines.length === 0)
      facts.push({
        concept: "unvaccinated",
        evidence: { en: "record: no vaccination recorded", ko: "기록: 접종 기록 없음" },
      });
    else if (overdue.length > 0 && overdue.length === vaccines.length) {
      const names = overdue.map((v) => cut(v.vaccine, 30)).join(", ");
      facts.push({
        concept: "unvaccinated",
        evidence: {
          en: `record: vaccine series overdue (${names})`,
          ko: `기록: 예방접종 지연 (${names})`,
        },
      });
    }
  }

  const parasite = latestOf(record.parasite, (p: Parasite) => doseName(p.product));
  if (parasite.length)
    lines.push(
      `parasite prevention: ${parasite
        .slice(-MAX_ITEMS)
        .map(
          (p) =>
            `${cut(p.product, 40)} every ${p.intervalDays} days, last ${p.date}${dueText(parasiteDue(p), today)}`,
        )
        .join("; ")}`,
    );

  const medications = currentMedications(record, today);
  if (medications.length)
    lines.push(
      `current medications: ${medications
        .slice(-MAX_ITEMS)
        .map(
          (m) =>
            `${cut(m.name, 40)} ${cut(m.dose, 60)} since ${m.from}${m.to ? ` until ${m.to}` : ""}`,
        )
        .join("; ")}`,
    );
  for (const m of medications) {
    if (INSULIN.test(m.name) && !facts.some((f) => f.concept === "diabetic"))
      facts.push({
        concept: "diabetic",
        evidence: { en: `record: on ${cut(m.name, 40)}`, ko: `기록: ${cut(m.name, 40)} 투약 중` },
      });
    if (ANTI_EPILEPTIC.test(m.name) && !facts.some((f) => f.concept === "epilepsy_known"))
      facts.push({
        concept: "epilepsy_known",
        evidence: { en: `record: on ${cut(m.name, 40)}`, ko: `기록: ${cut(m.name, 40)} 투약 중` },
      });
  }

  if (record.allergies.length)
    lines.push(
      `allergies: ${record.allergies
        .slice(0, MAX_ITEMS * 2)
        .map((a) =>
          a.reaction ? `${cut(a.allergen, 40)} (${cut(a.reaction, 60)})` : cut(a.allergen, 40),
        )
        .join(", ")}`,
    );

  const weight = weightTrend(record, today);
  if (weight) lines.push(weight);

  const visit = record.visits.filter((v) => v.date <= today).at(-1);
  if (visit && daysBetween(visit.date, today) <= RECENT_DAYS)
    lines.push(`last vet visit: ${visit.date}, ${cut(visit.reason, 80)}`);

  return {
    profileLines: lines,
    triageFacts: facts,
    retrievalTerms: medications.slice(-MAX_ITEMS).map((m) => cut(m.name, 100)),
  };
}
