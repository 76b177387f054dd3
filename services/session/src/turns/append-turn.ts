import type { TAppendTurnInput, TTurn } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import { autoTitle } from "../sessions/auto-title.ts";
import { sessionNotFound } from "../sessions/require-session.ts";
import { publicTurn } from "./public-turn.ts";

/**
 * Stores the question as a pending turn at the session's next message index, before any
 * answer is generated. A retry with the same clientMessageId returns the turn stored first.
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
  });
  if (!result) throw sessionNotFound(input.sessionId);
  return { turn: publicTurn(result.turn), created: result.created };
}
