import type { TTurnAttempt } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import type { StoredTurn } from "../store/interface.ts";

/**
 * True when the turn is pending and its attempt began at least SESSION_STALE_TURN_MS ago: the
 * gateway answering it is taken to be gone (crashed, or it could not store the outcome).
 */
export function isAbandoned(deps: SessionDeps, turn: StoredTurn): boolean {
  return (
    turn.status === "pending" &&
    Date.parse(turn.attemptStartedAt) <= deps.now().getTime() - deps.limits.staleTurnMs
  );
}

/** The outcome of the turn's current attempt as it stands (without its rating). */
export function currentOutcome(turn: StoredTurn): TTurnAttempt {
  return {
    answer: turn.answer,
    citations: turn.citations,
    model: turn.model,
    usage: turn.usage,
    status: turn.status,
    error: turn.error,
    completedAt: turn.completedAt,
  };
}

/**
 * What an abandoned attempt ends as: partial when it holds answer text, failed otherwise. Used
 * by the sweep and when a retry or regenerate takes the turn over.
 */
export function abandonedOutcome(turn: StoredTurn, completedAt: string): TTurnAttempt {
  const hasText = turn.answer !== null && turn.answer !== "";
  return {
    ...currentOutcome(turn),
    status: hasText ? "partial" : "error",
    error: hasText
      ? null
      : {
          code: "ABANDONED",
          message: "The answer was interrupted before it could be stored; ask again.",
        },
    completedAt,
  };
}
