import { AppError } from "@dogi/trpc";
import type { Limiter } from "../edge/rate-limiter.ts";
import type { UserStreams } from "../edge/user-streams.ts";
import type { GenerationQueue } from "./generation-queue.ts";

/** The limits every chat turn passes, whichever door (REST or /trpc) it comes through. */
export interface TurnAdmissionDeps {
  turnLimiter: Limiter;
  tokenLimiter: Limiter;
  /** Answers being generated per user, shared with the OpenAI-compatible door. */
  userStreams: UserStreams;
  /** Where admitted turns wait for a place to generate. */
  generationQueue: GenerationQueue;
  /** Shared by both doors, so that shutdown's drain counts every turn. */
  streams: { inFlight: number; draining: boolean };
  onRateLimited: (limit: string) => void;
}

/**
 * Admits one chat turn or throws why not: Dogi is draining, too many questions or tokens this
 * minute or too many of this user's answers being written (429 with Retry-After), or so many
 * turns already waiting for the model that this one would only time out (503). Returns the
 * release to call once the turn has ended.
 */
export async function admitTurn(deps: TurnAdmissionDeps, userId: string): Promise<() => void> {
  if (deps.streams.draining)
    throw new AppError("OVERLOADED", "Dogi is restarting; try again in a moment.", {
      retryAfterSeconds: 5,
    });
  // The user's share of answers first: a turn refused for it is not charged to their allowance.
  let endStream: () => void;
  try {
    endStream = await deps.userStreams.begin(userId);
  } catch (error) {
    deps.onRateLimited("user_streams");
    throw error;
  }
  try {
    await withinAllowance(deps, userId);
  } catch (error) {
    endStream();
    throw error;
  }
  deps.streams.inFlight += 1;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    endStream();
    deps.streams.inFlight -= 1;
  };
}

async function withinAllowance(deps: TurnAdmissionDeps, userId: string): Promise<void> {
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
  if (deps.generationQueue.full)
    throw new AppError(
      "OVERLOADED",
      "Too many questions are waiting for an answer right now; try again shortly.",
      { retryAfterSeconds: 5 },
    );
}
