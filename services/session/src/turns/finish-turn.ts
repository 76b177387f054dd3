import { AppError } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import type { StoredTurn, TurnChange } from "../store/interface.ts";
import { requireTurn } from "./public-turn.ts";

/**
 * Moves a pending turn to its final state. Refused with CONFLICT when the turn is no longer
 * pending, including when another call finished it a moment earlier.
 */
export async function finishPendingTurn(
  deps: SessionDeps,
  ref: { userId: string; sessionId: string; messageIndex: number },
  change: Omit<TurnChange, "completedAt" | "pushHistory">,
): Promise<StoredTurn> {
  const turn = await requireTurn(deps.store, ref);
  if (turn.status === "pending") {
    const updated = await deps.store.updateTurn({
      ...ref,
      ifRevision: turn.revision,
      change: { ...change, completedAt: deps.now().toISOString() },
      now: deps.now().toISOString(),
    });
    if (updated) return updated;
  }
  const current = await requireTurn(deps.store, ref);
  throw new AppError(
    "CONFLICT",
    `Turn ${ref.messageIndex} is already ${current.status}; only a pending turn can be finished.`,
  );
}
