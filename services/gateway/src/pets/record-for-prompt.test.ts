import { describe, expect, it } from "vitest";
import type { THealthRecord, TPet } from "@dogi/contracts";
import { triage } from "@dogi/triage";
import { ageText, recordForPrompt } from "./record-for-prompt.ts";

const petId = "00000000-0000-4000-8000-000000000001" as TPet["petId"];
const at = "2025-06-01T00:00:00.000Z";
const today = "2025-06-01";

function pet(fields: Partial<TPet> = {}): TPet {
  return {
    petId,
    name: "보리",
    species: "dog",
    breed: null,
    birthDate: "2020-01-01",
    weightKg: null,
    sex: "unknown",
    neutered: null,
    knownConditions: [],
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}

let n = 0;
const meta = () => {
  n += 1;
  return {
    entryId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    petId,
    createdAt: at,
    updatedAt: at,
  };
};

function record(fields: Partial<THealthRecord> = {}): THealthRecord {
  return {
    petId,
    vaccinations: [],
    parasite: [],
    medications: [],
    weights: [],
    visits: [],
    allergies: [],
    ...fields,
  };
}

const vaccination = (vaccine: string, date: string, nextDue: string | null) => ({
  ...meta(),
  kind: "vaccination" as const,
  vaccine,
  date,
  nextDue,
});
const medication = (name: string, from: string, to: string | null = null) => ({
  ...meta(),
  kind: "medication" as const,
  name,
  dose: "1 tablet twice a day",
  from,
  to,
});
const weight = (date: string, kg: number) => ({ ...meta(), kind: "weight" as const, date, kg });

describe("the health record in the chat turn's pet profile", () => {
  it("says the age in weeks, months or years as a vet would", () => {
    expect(ageText("2025-05-10", today)).toBe("3 weeks");
    expect(ageText("2025-02-01", today)).toBe("4 months");
    expect(ageText("2025-02-02", today)).toBe("3 months");
    expect(ageText("2023-09-01", today)).toBe("21 months");
    expect(ageText("2020-01-01", today)).toBe("5 years");
    expect(ageText(null, today)).toBeNull();
    expect(ageText("2026-01-01", today)).toBeNull();
  });

  it("gives the latest dose of each vaccine, flags an overdue one, and lists only current medications", () => {
    const result = recordForPrompt({
      pet: pet(),
      today,
      record: record({
        vaccinations: [
          vaccination("Rabies", "2023-05-01", "2024-05-01"),
          vaccination("DHPPL", "2024-05-10", "2025-05-10"),
          vaccination("rabies", "2024-05-01", "2025-05-01"),
          vaccination("RABIES", "2025-05-20", "2026-05-20"),
        ],
        medications: [
          medication("Apoquel", "2025-05-01"),
          medication("Amoxicillin", "2025-03-01", "2025-03-10"),
          medication("Galliprant", "2025-07-01"),
        ],
        allergies: [
          { ...meta(), kind: "allergy", allergen: "닭고기", reaction: "가려움" },
          { ...meta(), kind: "allergy", allergen: "beef", reaction: null },
        ],
      }),
    });
    expect(result.profileLines).toEqual([
      "age: 5 years",
      "vaccinations: DHPPL given 2024-05-10, next due 2025-05-10 (OVERDUE by 22 days); RABIES given 2025-05-20, next due 2026-05-20",
      "current medications: Apoquel 1 tablet twice a day since 2025-05-01",
      "allergies: 닭고기 (가려움), beef",
    ]);
    // An adult's overdue booster is no "unvaccinated" for triage.
    expect(result.triageFacts).toEqual([]);
    // Retrieval favours passages about what the pet takes now, not what it took or will take.
    expect(result.retrievalTerms).toEqual(["Apoquel"]);
  });

  it("gives the weight trend of the last six months and marks a change of 10% or more", () => {
    const result = recordForPrompt({
      pet: pet({ birthDate: null }),
      today,
      record: record({
        weights: [weight("2024-01-01", 20), weight("2025-01-15", 10), weight("2025-05-30", 8.5)],
      }),
    });
    expect(result.profileLines).toEqual([
      "vaccinations: none recorded",
      "weight 8.5 kg on 2025-05-30; 10 kg on 2025-01-15: -15% (notable change)",
    ]);
  });

  it("flags an unvaccinated puppy for triage when the owner keeps a record, and not when it is empty", () => {
    const puppy = pet({ birthDate: "2025-03-01" });
    const kept = recordForPrompt({
      pet: puppy,
      today,
      record: record({ weights: [weight("2025-05-01", 3)] }),
    });
    expect(kept.triageFacts).toEqual([
      {
        concept: "unvaccinated",
        evidence: { en: "record: no vaccination recorded", ko: "기록: 접종 기록 없음" },
      },
    ]);
    expect(recordForPrompt({ pet: puppy, today, record: record() }).triageFacts).toEqual([]);
    expect(recordForPrompt({ pet: puppy, today, record: null })).toEqual({
      profileLines: ["age: 3 months"],
      triageFacts: [],
      retrievalTerms: [],
    });
    const late = recordForPrompt({
      pet: puppy,
      today,
      record: record({ vaccinations: [vaccination("DHPPL 1차", "2025-04-10", "2025-05-01")] }),
    });
    expect(late.triageFacts[0]?.evidence.en).toBe("record: vaccine series overdue (DHPPL 1차)");
    const onTime = recordForPrompt({
      pet: puppy,
      today,
      record: record({ vaccinations: [vaccination("DHPPL 1차", "2025-05-10", "2025-06-07")] }),
    });
    expect(onTime.triageFacts).toEqual([]);
  });

  it("turns an unvaccinated puppy's vomiting and diarrhoea into an emergency through triage", () => {
    const puppy = pet({ birthDate: "2025-03-01" });
    const { triageFacts } = recordForPrompt({
      pet: puppy,
      today,
      record: record({ weights: [weight("2025-05-01", 3)] }),
    });
    const question = "구토하고 설사해요";
    const withRecord = triage(question, { species: "dog", recordFacts: triageFacts });
    expect(withRecord.level).toBe("emergency");
    expect(withRecord.signs.flatMap((s) => s.evidence ?? [])).toContain("기록: 접종 기록 없음");
  });

  it("tells triage of a pet on insulin or an anti-epileptic drug, only while it is taken", () => {
    const facts = recordForPrompt({
      pet: pet(),
      today,
      record: record({
        medications: [
          medication("Caninsulin", "2025-01-01"),
          medication("Phenobarbital", "2024-01-01", "2024-12-31"),
        ],
      }),
    }).triageFacts;
    expect(facts.map((f) => f.concept)).toEqual(["diabetic"]);
    expect(facts[0]?.evidence.en).toBe("record: on Caninsulin");
  });

  it("keeps a long record short: at most six vaccines and cut names", () => {
    const result = recordForPrompt({
      pet: pet(),
      today,
      record: record({
        vaccinations: Array.from({ length: 20 }, (_, i) =>
          vaccination(`Vaccine ${i} ${"x".repeat(80)}`, "2025-01-01", null),
        ),
      }),
    });
    const line = result.profileLines.find((l) => l.startsWith("vaccinations:")) ?? "";
    expect(line.split(";")).toHaveLength(6);
    expect(line.length).toBeLessThan(6 * 70);
  });
});
