import type { TChatTurnEvent, TTurn } from "@dogi/contracts";
import { restCitations } from "./citations.ts";

/**
 * The events of a turn answered before, for a retry with the same client message id: the same
 * events a first answer sends (its triage first when it had one), so a client cannot tell a
 * replay from an answer but by its timings.
 */
export function replayTurn(turn: TTurn): TChatTurnEvent[] {
  const index = turn.messageIndex;
  return [
    ...(turn.triage
      ? [{ event: "triage" as const, data: { ...turn.triage, message_index: index } }]
      : []),
    {
      event: "meta",
      data: {
        session_id: turn.sessionId,
        message_index: index,
        citations: restCitations(turn.citations),
        mode: turn.model === null ? "retrieval_only" : "model",
        knowledge: "ok",
      },
    },
    { event: "delta", data: { text: turn.answer ?? "" } },
    {
      event: "done",
      data: {
        message_index: index,
        status: turn.status === "partial" ? "partial" : "complete",
        model: turn.model,
        usage: {
          prompt_tokens: turn.usage?.promptTokens ?? 0,
          completion_tokens: turn.usage?.completionTokens ?? 0,
        },
        timings: { retrieval_ms: 0, before_generation_ms: null, first_token_ms: null, total_ms: 0 },
      },
    },
  ];
}
