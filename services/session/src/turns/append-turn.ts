import type { TAppendTurnRequest, TTurn } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import { autoTitle } from "../sessions/auto-title.ts";
import { sessionNotFound } from "../sessions/require-session.ts";
import { isAbandoned } from "./abandoned-turn.ts";
import { publicTurn } from "./public-turn.ts";
import { restartTurn } from "./restart-turn.ts";

/**
 * Stores the question as a pending turn at the session's next message index, before any
 * answer is generated. A retry with the same clientMessageId returns the turn stored first
 * (even in a full session), or, when that turn failed or was abandoned (pending past
 * SESSION_STALE_TURN_MS), starts a new attempt at it: `created` is then true, as the caller
 * must answer it. A new question in a session at SESSION_MAX_TURNS_PER_SESSION gets
 * LIMIT_REACHED.
 */
export async function appendTurn(
  deps: SessionDeps,
  input: TAppendTurnRequest,
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
  const { turn, created } = result;
  if (!created && (turn.status === "error" || isAbandoned(deps, turn))) {
    // Null: a concurrent retry took the turn over first; this one sees it pending (409 upstream).
    const restarted = await restartTurn(deps, input.userId, turn);
    if (restarted) return { turn: publicTurn(restarted), created: true };
    const current = await deps.store.findTurn(input.userId, input.sessionId, turn.messageIndex);
    return { turn: publicTurn(current ?? turn), created: false };
  }
  return { turn: publicTurn(turn), created };
}
