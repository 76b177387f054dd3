import { AppError } from "@dogi/trpc";
import type { Limiter } from "../edge/rate-limiter.ts";

/** The limits every chat turn passes, whichever door (REST or /trpc) it comes through. */
export interface TurnAdmissionDeps {
  turnLimiter: Limiter;
  tokenLimiter: Limiter;
  maxStreams: number;
  /** Shared by both doors, so the stream limit and shutdown's drain count every turn. */
  streams: { inFlight: number; draining: boolean };
  onRateLimited: (limit: string) => void;
}

/**
 * Admits one chat turn or throws why not: Dogi is draining, too many questions or tokens this
 * minute (429 with Retry-After), or too many answers being written at once (503).
 */
export async function admitTurn(deps: TurnAdmissionDeps, userId: string): Promise<void> {
  if (deps.streams.draining)
    throw new AppError("OVERLOADED", "Dogi is restarting; try again in a moment.", {
      retryAfterSeconds: 5,
    });
  const turns = await deps.turnLimiter.take(userId);
  if (!turns.ok) {
    deps.onRateLimited("chat_turns");
    throw new AppError(
      "RATE_LIMITED",
      `Too many questions; try again in ${turns.retryAfterSeconds} seconds.`,
      { retryAfterSeconds: turns.retryAfterSeconds },
    );
  }
  const tokens = await deps.tokenLimiter.check(userId);
  if (!tokens.ok) {
    deps.onRateLimited("chat_tokens");
    throw new AppError(
      "RATE_LIMITED",
      `Token allowance used up; try again in ${tokens.retryAfterSeconds} seconds.`,
      { retryAfterSeconds: tokens.retryAfterSeconds },
    );
  }
  if (deps.streams.inFlight >= deps.maxStreams)
    throw new AppError(
      "OVERLOADED",
      "Too many answers are being written right now; try again shortly.",
      { retryAfterSeconds: 2 },
    );
}
