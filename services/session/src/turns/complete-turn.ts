import type { TCompleteTurnRequest, TTurn } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import { finishPendingTurn } from "./finish-turn.ts";
import { publicTurn } from "./public-turn.ts";

/** Stores the answer of a pending turn: complete, or partial when generation stopped early. */
export async function completeTurn(deps: SessionDeps, input: TCompleteTurnRequest): Promise<TTurn> {
  const turn = await finishPendingTurn(deps, input, {
    answer: input.answer,
    citations: input.citations,
    model: input.model ?? null,
    usage: input.usage ?? null,
    status: input.status,
    error: null,
    triage: input.triage ?? null,
    promptContext: input.promptContext ?? null,
    feedback: null,
    firstTokenMs: input.firstTokenMs ?? null,
    retrievalOnly: input.retrievalOnly ?? false,
    answerChars: input.answer.length,
  });
  return publicTurn(turn);
}
