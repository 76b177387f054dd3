import type { TPromptTurn, TTurn } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { StoredTurn } from "../store/interface.ts";

/** The turn as callers see it (without the store's revision, attempt start and timing). */
export function publicTurn(turn: StoredTurn): TTurn {
  const {
    revision: _revision,
    attemptStartedAt: _attemptStartedAt,
    promptContext: _promptContext,
    firstTokenMs: _firstTokenMs,
    retrievalOnly: _retrievalOnly,
    answerChars: _answerChars,
    ...rest
  } = turn;
  return rest;
}

/** The turn as the gateway's prompt replays it: the public turn and the context it was sent with. */
export function promptTurn(turn: StoredTurn): TPromptTurn {
  return { ...publicTurn(turn), promptContext: turn.promptContext };
}

/** NOT_FOUND for a turn, worded the same whether the session is missing or another user's. */
export function turnNotFound(sessionId: string, messageIndex: number): AppError {
  return new AppError(
    "NOT_FOUND",
    `No turn ${messageIndex} in session ${sessionId} for this user.`,
  );
}

/** Reads a turn, NOT_FOUND when there is none for this user. */
export async function requireTurn(
  store: { findTurn(userId: string, sessionId: string, index: number): Promise<StoredTurn | null> },
  ref: { userId: string; sessionId: string; messageIndex: number },
): Promise<StoredTurn> {
  const turn = await store.findTurn(ref.userId, ref.sessionId, ref.messageIndex);
  if (!turn) throw turnNotFound(ref.sessionId, ref.messageIndex);
  return turn;
}
