import type { TPet, TRagSearchHit, TTurn } from "@dogi/contracts";
import type { TLocale } from "@dogi/contracts";

/** One chat message in OpenAI's format. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

function ageYears(birthDate: string | null): number | undefined {
  if (!birthDate) return undefined;
  const years = (Date.now() - Date.parse(birthDate)) / (365.25 * 24 * 3600 * 1000);
  return Number.isFinite(years) && years >= 0 ? Math.floor(years * 10) / 10 : undefined;
}

/** The pet as the prompt describes it, one line. */
export function describePet(pet: TPet): string {
  const age = ageYears(pet.birthDate);
  return [
    `${pet.name}: ${pet.species}`,
    pet.breed ? `breed ${pet.breed}` : null,
    age !== undefined ? `age ${age} years` : null,
    pet.weightKg !== null ? `${pet.weightKg} kg` : null,
    pet.sex !== "unknown" ? pet.sex : null,
    pet.neutered === null ? null : pet.neutered ? "neutered" : "not neutered",
    pet.knownConditions.length ? `known conditions: ${pet.knownConditions.join(", ")}` : null,
  ]
    .filter(Boolean)
    .join("; ");
}

const SAFETY_RULES = `Rules:
- You give general advice, never a diagnosis or a prescription; say so when it matters.
- Base the answer on the numbered passages and cite them as [1], [2]. If they do not cover the question, say so and answer cautiously.
- Say plainly when the pet should see a veterinarian, and when it is urgent (poisoning, breathing trouble, seizures, collapse, bloat, a cat that cannot urinate, heavy bleeding, heatstroke).
- Never suggest human medicines or doses.`;

/**
 * The messages of a chat completion: the system prompt (role, safety rules, pet profile,
 * numbered passages), then the most recent earlier turns that fit `budgetChars`, then the question.
 * Passages are trimmed before earlier turns are, as they matter more to the answer.
 */
export function buildMessages(options: {
  question: string;
  language: TLocale;
  pet: TPet | null;
  hits: readonly TRagSearchHit[];
  knowledgeUnavailable: boolean;
  earlierTurns: readonly TTurn[];
  budgetChars: number;
}): ChatMessage[] {
  let budget = options.budgetChars;
  const passages: string[] = [];
  options.hits.forEach((hit, i) => {
    const text = `[${i + 1}] ${hit.citation.title}${hit.citation.section ? ` — ${hit.citation.section}` : ""}\n${hit.text}`;
    const cut = text.slice(0, Math.max(0, Math.min(text.length, budget)));
    if (cut.length < 80) return;
    passages.push(cut);
    budget -= cut.length;
  });
  const system = [
    "You are Dogi, a veterinary health assistant for dog and cat owners.",
    options.language === "ko" ? "Answer in Korean (한국어로 답하세요)." : "Answer in English.",
    SAFETY_RULES,
    options.pet ? `The pet asked about: ${describePet(options.pet)}.` : null,
    options.knowledgeUnavailable
      ? "The knowledge base is unavailable right now: answer from general knowledge, say that no sources could be checked, and be cautious."
      : passages.length
        ? `Passages:\n${passages.join("\n\n")}`
        : "No passage of the knowledge base matched; say so and answer cautiously.",
  ]
    .filter(Boolean)
    .join("\n\n");

  const history: ChatMessage[] = [];
  for (const turn of [...options.earlierTurns].reverse()) {
    if (!turn.answer || turn.status === "error") continue;
    const size = turn.question.length + turn.answer.length;
    if (size > budget) break;
    budget -= size;
    history.unshift(
      { role: "user", content: turn.question },
      { role: "assistant", content: turn.answer },
    );
  }
  return [
    { role: "system", content: system },
    ...history,
    { role: "user", content: options.question },
  ];
}
