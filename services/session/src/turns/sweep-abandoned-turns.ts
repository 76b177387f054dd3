import type { SessionDeps } from "../deps.ts";
import { abandonedOutcome } from "./abandoned-turn.ts";

const PAGE = 200;
const MAX_PAGES = 50;

/**
 * Ends every turn pending past SESSION_STALE_TURN_MS (its gateway crashed, or could not store
 * the outcome): failed, or partial when it holds answer text. Drops leftover write claims first,
 * so that a turn blocked by one can be changed. Safe beside other replicas doing the same: each
 * change is conditional on the revision read, so a turn answered, retried or swept meanwhile
 * is left alone.
 */
export async function sweepAbandonedTurns(
  deps: SessionDeps,
): Promise<{ ended: number; claimsDropped: number }> {
  const bound = new Date(deps.now().getTime() - deps.limits.staleTurnMs).toISOString();
  const claimsDropped = await deps.store.dropLeftoverClaims(bound);
  let ended = 0;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const stale = await deps.store.listStaleTurns({ startedBy: bound, limit: PAGE });
    let changed = 0;
    for (const turn of stale) {
      const now = deps.now().toISOString();
      const outcome = abandonedOutcome(turn, now);
      const updated = await deps.store.updateTurn({
        userId: turn.userId,
        sessionId: turn.sessionId,
        messageIndex: turn.messageIndex,
        ifRevision: turn.revision,
        change: {
          ...outcome,
          triage: turn.triage ?? null,
          promptContext: null,
          feedback: null,
          firstTokenMs: turn.firstTokenMs,
          retrievalOnly: turn.retrievalOnly,
          answerChars: null,
        },
        now,
      });
      if (updated) changed += 1;
    }
    ended += changed;
    // A full page with nothing changed holds only turns another writer is holding: next time.
    if (stale.length < PAGE || changed === 0) break;
  }
  return { ended, claimsDropped };
}
