import type { TRegenerateTurnInput, TTurn } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import { sessionNotFound } from "../sessions/require-session.ts";
import { publicTurn, requireTurn } from "./public-turn.ts";

/**
 * Puts the session's last turn back to pending for a new answer; its current answer moves
 * into the turn's history. Only the last turn, and only once it has finished.
 */
export async function regenerateTurn(
  deps: SessionDeps,
  input: TRegenerateTurnInput,
): Promise<TTurn> {
  const last = await deps.store.lastTurn(input.userId, input.sessionId);
  if (!last || last.messageIndex !== input.messageIndex) {
    await requireTurn(deps.store, input);
    if (!last) throw sessionNotFound(input.sessionId);
    throw new AppError(
      "CONFLICT",
      `Only the last turn (${last.messageIndex}) can be regenerated, not turn ${input.messageIndex}.`,
    );
  }
  if (last.status === "pending") {
    throw new AppError(
      "CONFLICT",
      `Turn ${last.messageIndex} is still being answered; wait for it to finish or fail.`,
    );
  }
  const now = deps.now().toISOString();
  const updated = await deps.store.updateTurn({
    userId: input.userId,
    sessionId: input.sessionId,
    messageIndex: last.messageIndex,
    ifRevision: last.revision,
    change: {
      answer: null,
      citations: [],
      model: null,
      usage: null,
      status: "pending",
      error: null,
      completedAt: null,
      // The new answer's run assesses the question again (the pet may have changed).
      triage: null,
      pushHistory: {
        answer: last.answer,
        citations: last.citations,
        model: last.model,
        usage: last.usage,
        status: last.status,
        error: last.error,
        completedAt: last.completedAt,
      },
    },
    now,
  });
  if (!updated) {
    throw new AppError(
      "CONFLICT",
      `Turn ${last.messageIndex} changed while it was being regenerated; reload and try again.`,
    );
  }
  return publicTurn(updated);
}
