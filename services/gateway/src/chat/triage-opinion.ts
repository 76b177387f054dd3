import type { TLocale, TTriage, TTriageLevel } from "@dogi/contracts";
import { SIGN_IDS, SIGNS, triageMessage } from "@dogi/triage";
import type { SignId, TriageResult } from "@dogi/triage";
import { z } from "zod";
import { jsonSchemaOf } from "../http/json-schema.ts";
import type { InferencePool } from "../inference/pool.ts";
import { completeShort } from "./generate.ts";
import type { InferenceCaller } from "./generate.ts";

/** The model's classification of a question, as its JSON schema constrains it. */
const ZOpinion = z.object({
  level: z.enum(["emergency", "urgent", "none"]),
  signs: z.array(z.enum(SIGN_IDS as [SignId, ...SignId[]])).max(3),
});
type Opinion = z.infer<typeof ZOpinion>;

// The grammar node-llama-cpp builds from this schema lets the model write nothing else.
const RESPONSE_FORMAT = {
  type: "json_schema",
  json_schema: { name: "triage", strict: true, schema: jsonSchemaOf(ZOpinion) },
} as const;

const INSTRUCTIONS = `You triage questions from dog and cat owners for a veterinary assistant.
Classify what the owner describes about their own pet now:
- "emergency": the pet must go to a veterinarian now (poisoning, trouble breathing, blue or pale gums, seizures, collapse, bloat, straining with nothing coming out, heatstroke, trauma, heavy bleeding, difficult birth, and the like).
- "urgent": the pet should see a veterinarian within 24 hours.
- "none": no sign that needs a vet today, or a general question, a prevention or safety question, a past event, or another animal or a person.
List at most three sign ids that apply. Reply with JSON only.`;

/**
 * Asks the model for its own triage of a question (a JSON-schema-constrained classification).
 * Null when it cannot answer in time, answers with something that is not the schema's JSON, or
 * the request fails: then the rules' result stands.
 */
export async function askTriageOpinion(options: {
  pool: InferencePool;
  caller: InferenceCaller;
  question: string;
  petLine: string | null;
  signal: AbortSignal;
}): Promise<Opinion | null> {
  const content = await completeShort({
    pool: options.pool,
    caller: options.caller,
    signal: options.signal,
    maxTokens: 48,
    responseFormat: RESPONSE_FORMAT,
    messages: [
      { role: "system", content: INSTRUCTIONS },
      {
        role: "user",
        content: `${options.petLine ? `Pet: ${options.petLine}\n` : ""}Question: ${options.question.slice(0, 2_000)}`,
      },
    ],
  });
  return content === null ? null : parseOpinion(content);
}

/**
 * The model's opinion, asked for at once and given up when the budget (counted from now, the
 * turn's start) runs out, the client leaves, or `cancel` is called because no model can
 * generate: the turn never waits longer. Null when the budget is 0 (TRIAGE_MODEL=off).
 */
export function startTriageOpinion(options: {
  pool: InferencePool;
  caller: InferenceCaller;
  question: string;
  petLine: string | null;
  budgetMs: number;
  signal: AbortSignal;
}): { result: Promise<Opinion | null>; cancel: () => void } | null {
  if (options.budgetMs <= 0) return null;
  const stop = new AbortController();
  const timer = setTimeout(
    () => stop.abort(new Error("triage opinion over budget")),
    options.budgetMs,
  );
  const result = askTriageOpinion({
    pool: options.pool,
    caller: options.caller,
    question: options.question,
    petLine: options.petLine,
    signal: AbortSignal.any([stop.signal, options.signal]),
  }).finally(() => clearTimeout(timer));
  return { result, cancel: () => stop.abort(new Error("no model to ask")) };
}

/** The opinion in a model's reply, or null when the reply is not the schema's JSON. */
export function parseOpinion(content: string): Opinion | null {
  try {
    const parsed = ZOpinion.safeParse(JSON.parse(content));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Triage levels in order of urgency. */
export const RANK: Record<TTriageLevel | "none", number> = { none: 0, urgent: 1, emergency: 2 };

/**
 * The rules' result raised to the model's level when the model saw more; never lowered. Null
 * when the model adds nothing (its level is not higher), so the turn keeps the rules' result.
 */
export function raisedByOpinion(
  rules: TriageResult,
  opinion: Opinion | null,
  language: TLocale,
): TTriage | null {
  if (!opinion || opinion.level === "none" || RANK[opinion.level] <= RANK[rules.level]) return null;
  const level = opinion.level;
  const signs = opinion.signs.length
    ? opinion.signs.map((id) => ({
        id,
        label: SIGNS[id].label[language],
        level,
        evidence: [language === "ko" ? "언어 모델의 판단" : "the language model's assessment"],
      }))
    : [
        {
          id: "model_assessment",
          label: language === "ko" ? "언어 모델의 판단" : "the language model's assessment",
          level,
        },
      ];
  return { level, signs, message: triageMessage(level, signs, language), source: "model" };
}
