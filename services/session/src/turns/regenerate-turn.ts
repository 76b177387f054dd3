import type { TRegenerateTurnRequest, TTurn } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import { sessionNotFound } from "../sessions/require-session.ts";
import { isAbandoned } from "./abandoned-turn.ts";
import { publicTurn, requireTurn } from "./public-turn.ts";
import { restartTurn } from "./restart-turn.ts";

/**
 * Puts the session's last turn back to pending for a new answer; its current answer moves
 * into the turn's history. Only the last turn, and only once it has finished, failed or been
 * abandoned (pending past SESSION_STALE_TURN_MS).
 */
export async function regenerateTurn(
  deps: SessionDeps,
  input: TRegenerateTurnRequest,
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
  if (last.status === "pending" && !isAbandoned(deps, last)) {
    throw new AppError(
      "CONFLICT",
      `Turn ${last.messageIndex} is still being answered; wait for it to finish or fail.`,
    );
  }
  const updated = await restartTurn(deps, input.userId, last);
  if (!updated) {
    throw new AppError(
      "CONFLICT",
      `Turn ${last.messageIndex} changed while it was being regenerated; reload and try again.`,
    );
  }
  return publicTurn(updated);
}
