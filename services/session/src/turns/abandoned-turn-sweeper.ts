import type { Logger } from "@dogi/logger";
import type { SessionDeps } from "../deps.ts";
import { sweepAbandonedTurns } from "./sweep-abandoned-turns.ts";

/** How often the sweep runs: a minute, or a quarter of the bound when that is shorter. */
export function sweepIntervalMs(staleTurnMs: number): number {
  return Math.min(60_000, Math.ceil(staleTurnMs / 4));
}

/**
 * Sweeps abandoned turns once `ready` resolves, then every sweepIntervalMs; the timer does not
 * keep the process alive, and a sweep never overlaps the previous one. A failed sweep (database
 * away) is logged and tried again at the next tick.
 */
export function startAbandonedTurnSweeper(
  deps: SessionDeps,
  logger: Logger,
  ready: Promise<void>,
): { first: Promise<void>; stop: () => Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  let isReady = false;
  const sweep = (): Promise<void> | undefined => {
    if (running || stopped || !isReady) return running;
    running = sweepAbandonedTurns(deps)
      .then(
        (result) => {
          if (result.ended > 0 || result.claimsDropped > 0)
            logger.warn(result, "ended abandoned turns (pending past SESSION_STALE_TURN_MS)");
        },
        (error: unknown) => logger.warn({ err: error }, "sweep of abandoned turns failed"),
      )
      .finally(() => (running = undefined));
    return running;
  };
  // sweep() reports its own failures; the timer has nothing to wait for.
  const timer = setInterval(() => void sweep(), sweepIntervalMs(deps.limits.staleTurnMs));
  timer.unref();
  // Not awaited by stop(): `ready` may never come when the database stays away.
  const first = ready.then(() => {
    isReady = true;
    return sweep();
  });
  return {
    first,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
