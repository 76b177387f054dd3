import { AppError } from "@dogi/trpc";

/**
 * Answers being generated per user, across the chat turn and the OpenAI-compatible door
 * together (GATEWAY_MAX_STREAMS_PER_USER): one user cannot hold more of the model than that,
 * however they call it. Kept per replica (a user's streams are short-lived connections to one
 * replica; the per-minute allowances are the limits shared through Redis).
 */
export class UserStreams {
  private readonly active = new Map<string, number>();

  constructor(private readonly perUser: number) {}

  /** Counts one more answer for `userId`, or throws RATE_LIMITED when they have their share. */
  begin(userId: string): () => void {
    const count = this.active.get(userId) ?? 0;
    if (count >= this.perUser)
      throw new AppError(
        "RATE_LIMITED",
        `You already have ${count} answer${count === 1 ? "" : "s"} being written; wait for ${count === 1 ? "it" : "one"} to finish.`,
        { retryAfterSeconds: 2 },
      );
    this.active.set(userId, count + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.active.get(userId) ?? 1) - 1;
      if (left > 0) this.active.set(userId, left);
      else this.active.delete(userId);
    };
  }

  /** Answers being generated for `userId` now. */
  count(userId: string): number {
    return this.active.get(userId) ?? 0;
  }
}
