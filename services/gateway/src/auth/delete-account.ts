import type {
  TAccountDeletion,
  TRestAccountDeletion,
  TUserDataStore,
  TUserId,
} from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { ServiceClients } from "../clients.ts";

const MAX_RETRY_MS = 60 * 60_000;
const MAX_ERROR_CHARS = 2_000;

/**
 * How long a deletion waits after its `attempts`-th failed attempt: `intervalMs`, doubled for
 * each failure before it, at most an hour (or the interval, when that is longer).
 */
export function retryDelayMs(attempts: number, intervalMs: number): number {
  const doublings = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(intervalMs * 2 ** doublings, Math.max(intervalMs, MAX_RETRY_MS));
}

/** What finishing a deleted account's deletion needs. */
export interface AccountCleanupDeps {
  services: Pick<ServiceClients, "auth" | "session">;
  logger: Logger;
  /** GATEWAY_DELETION_RETRY_MS: the wait after a first failure (see retryDelayMs). */
  retryMs: number;
  /** Aborts the calls of an attempt (shutdown). */
  signal?: AbortSignal;
}

// One function per service that keeps data keyed by user id: it empties that service of the
// user's data, or throws.
const cleaners: Record<
  TUserDataStore,
  (deps: AccountCleanupDeps, userId: TUserId) => Promise<void>
> = {
  async session(deps, userId) {
    const options = deps.signal ? { signal: deps.signal } : {};
    await deps.services.session.sessions.deleteAllForUser.mutate({ userId }, options);
    // A second pass must find nothing: then no session was created while the first one ran.
    const second = await deps.services.session.sessions.deleteAllForUser.mutate(
      { userId },
      options,
    );
    if (second.deletedSessions > 0)
      throw new Error(`${second.deletedSessions} sessions were created while deleting`);
  },
};

/**
 * One attempt at deleting what the other services hold for a deleted account: each pending
 * service is emptied and then marked done at auth, which completes the deletion after the last.
 * A failure is recorded at auth, deferring the next attempt (retryDelayMs). Every step is
 * idempotent, so that two gateway replicas may attempt the same deletion at once. Resolves with
 * what is left, never rejects.
 */
export async function cleanUpDeletedAccount(
  deps: AccountCleanupDeps,
  deletion: Pick<TAccountDeletion, "userId" | "pending" | "attempts">,
): Promise<TRestAccountDeletion> {
  const { userId } = deletion;
  const options = deps.signal ? { signal: deps.signal } : {};
  let pending = deletion.pending;
  try {
    for (const store of deletion.pending) {
      await cleaners[store](deps, userId);
      ({ pending } = await deps.services.auth.deletions.markDone.mutate(
        { userId, store },
        options,
      ));
    }
    deps.logger.info({ userId }, "deleted account's data deleted");
  } catch (error) {
    const attempts = deletion.attempts + 1;
    deps.logger.warn({ err: error, userId, attempts }, "deleting a deleted account's data failed");
    const message = error instanceof Error ? error.message : String(error);
    try {
      await deps.services.auth.deletions.recordFailure.mutate(
        {
          userId,
          error: message.slice(0, MAX_ERROR_CHARS),
          retryAfterMs: retryDelayMs(attempts, deps.retryMs),
        },
        options,
      );
    } catch (recordError) {
      // The deletion stays due as it was: the next pass tries again.
      deps.logger.warn({ err: recordError, userId }, "could not record the failed attempt");
    }
  }
  return { status: pending.length === 0 ? "deleted" : "deleting", pending };
}
