import type { TFailTurnRequest, TTurn } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import { finishPendingTurn } from "./finish-turn.ts";
import { publicTurn } from "./public-turn.ts";

/** Marks a pending turn as failed, keeping the question and whatever text was generated. */
export async function failTurn(deps: SessionDeps, input: TFailTurnRequest): Promise<TTurn> {
  const turn = await finishPendingTurn(deps, input, {
    answer: input.answer ?? null,
    citations: [],
    model: input.model ?? null,
    usage: null,
    status: "error",
    error: input.error,
    triage: input.triage ?? null,
    // A failed turn is never replayed to the model.
    promptContext: null,
    feedback: null,
    firstTokenMs: input.firstTokenMs ?? null,
    retrievalOnly: input.retrievalOnly ?? false,
    // Text before a failure is no answer: the report's answer lengths are of answers.
    answerChars: null,
  });
  return publicTurn(turn);
}
