import type { TAppendTurnInput, TTurn } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import { autoTitle } from "../sessions/auto-title.ts";
import { sessionNotFound } from "../sessions/require-session.ts";
import { publicTurn } from "./public-turn.ts";

/**
 * Stores the question as a pending turn at the session's next message index, before any
 * answer is generated. A retry with the same clientMessageId returns the turn stored first
 * (even in a full session); a new question in a session at SESSION_MAX_TURNS_PER_SESSION gets
 * LIMIT_REACHED.
 */
export async function appendTurn(
  deps: SessionDeps,
  input: TAppendTurnInput,
): Promise<{ turn: TTurn; created: boolean }> {
  const result = await deps.store.appendTurn({
    userId: input.userId,
    sessionId: input.sessionId,
    question: input.question,
    clientMessageId: input.clientMessageId ?? null,
    autoTitle: autoTitle(input.question),
    now: deps.now().toISOString(),
    maxTurns: deps.limits.maxTurnsPerSession,
  });
  if (!result) throw sessionNotFound(input.sessionId);
  if (result === "full") {
    throw new AppError(
      "LIMIT_REACHED",
      `This chat has ${deps.limits.maxTurnsPerSession} messages, the most one chat may hold; start a new chat to go on.`,
    );
  }
  return { turn: publicTurn(result.turn), created: result.created };
}
