import type { TSetTurnFeedbackRequest, TTurn } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import { currentOutcome } from "./abandoned-turn.ts";
import { publicTurn, requireTurn } from "./public-turn.ts";

/**
 * Sets or clears (rating null) the owner's rating of a turn's current answer. A pending turn
 * has no answer to rate yet: CONFLICT. Another user's turn is NOT_FOUND, as a missing one.
 */
export async function setTurnFeedback(
  deps: SessionDeps,
  input: TSetTurnFeedbackRequest,
): Promise<TTurn> {
  const turn = await requireTurn(deps.store, input);
  if (turn.status === "pending") {
    throw new AppError(
      "CONFLICT",
      `Turn ${turn.messageIndex} is still being answered; wait for the answer to finish before rating it.`,
    );
  }
  const comment = input.comment === undefined || input.comment === "" ? null : input.comment;
  const now = deps.now().toISOString();
  // Conditional on the revision read: a regenerate meanwhile means the rating would land on
  // an answer the owner has not seen.
  const updated = await deps.store.updateTurn({
    userId: input.userId,
    sessionId: input.sessionId,
    messageIndex: input.messageIndex,
    ifRevision: turn.revision,
    change: {
      ...currentOutcome(turn),
      triage: turn.triage ?? null,
      promptContext: turn.promptContext,
      feedback: input.rating === null ? null : { rating: input.rating, comment, at: now },
      firstTokenMs: turn.firstTokenMs,
      retrievalOnly: turn.retrievalOnly,
      answerChars: turn.answerChars,
    },
    now,
  });
  if (!updated) {
    throw new AppError(
      "CONFLICT",
      `Turn ${turn.messageIndex} changed while it was being rated; reload and try again.`,
    );
  }
  return publicTurn(updated);
}
