import type { SessionDeps } from "../deps.ts";
import type { StoredTurn } from "../store/interface.ts";
import { abandonedOutcome, currentOutcome, isAbandoned } from "./abandoned-turn.ts";

/**
 * Puts a finished or abandoned turn back to pending for a new attempt, its current outcome
 * moving into the history. Null when the turn changed meanwhile (another caller took it).
 */
export async function restartTurn(
  deps: SessionDeps,
  userId: string,
  turn: StoredTurn,
): Promise<StoredTurn | null> {
  const now = deps.now().toISOString();
  return deps.store.updateTurn({
    userId,
    sessionId: turn.sessionId,
    messageIndex: turn.messageIndex,
    ifRevision: turn.revision,
    change: {
      answer: null,
      citations: [],
      model: null,
      usage: null,
      status: "pending",
      error: null,
      completedAt: null,
      // The new attempt assesses the question again (the pet may have changed).
      triage: null,
      // The new answer is generated from a prompt of its own.
      promptContext: null,
      // A rating was about the old answer: it stays with that answer in the history.
      feedback: null,
      firstTokenMs: null,
      retrievalOnly: false,
      answerChars: null,
      attemptStartedAt: now,
      pushHistory: isAbandoned(deps, turn)
        ? abandonedOutcome(turn, now)
        : { ...currentOutcome(turn), ...(turn.feedback ? { feedback: turn.feedback } : {}) },
    },
    now,
  });
}
