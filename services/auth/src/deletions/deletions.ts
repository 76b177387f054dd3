import type {
  TAccountDeletion,
  TMarkDeletionDoneRequest,
  TPendingDeletionsRequest,
  TPendingDeletionsResponse,
  TRecordDeletionFailureRequest,
} from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import type { AccountDeletionRecord } from "../store/interface.ts";

// The gateway drives the cleanup of deleted accounts in the other services; these are the
// tombstone's side of it. Every step is idempotent, so that several gateway replicas may race.

function deletionView(record: AccountDeletionRecord): TAccountDeletion {
  return {
    userId: record.userId as TAccountDeletion["userId"],
    deletedAt: record.deletedAt.toISOString(),
    pending: record.pending as TAccountDeletion["pending"],
    completedAt: record.completedAt?.toISOString() ?? null,
    attempts: record.attempts,
    lastError: record.lastError,
    nextAttemptAt: record.nextAttemptAt.toISOString(),
  };
}

const noTombstone = (userId: string) =>
  new AppError("NOT_FOUND", `No account deletion is pending for ${userId}.`);

/** Incomplete deletions whose next attempt is due now, oldest first. */
export async function pendingDeletions(
  deps: AuthDeps,
  input: TPendingDeletionsRequest,
): Promise<TPendingDeletionsResponse> {
  const records = await deps.store.listPendingDeletions({ now: deps.now(), limit: input.limit });
  return { items: records.map(deletionView) };
}

/** Takes a store off a deletion's pending list; the deletion completes when none is left. */
export async function markDeletionDone(
  deps: AuthDeps,
  input: TMarkDeletionDoneRequest,
): Promise<TAccountDeletion> {
  const record = await deps.store.markDeletionStoreDone(input.userId, input.store, deps.now());
  if (!record) throw noTombstone(input.userId);
  if (record.completedAt)
    deps.logger.info({ userId: input.userId, store: input.store }, "account deletion complete");
  return deletionView(record);
}

/** Counts a failed cleanup attempt and defers the next one. */
export async function recordDeletionFailure(
  deps: AuthDeps,
  input: TRecordDeletionFailureRequest,
): Promise<TAccountDeletion> {
  const retryAt = new Date(deps.now().getTime() + input.retryAfterMs);
  const record = await deps.store.recordDeletionFailure(input.userId, {
    error: input.error,
    retryAt,
  });
  if (!record) throw noTombstone(input.userId);
  deps.logger.warn(
    { userId: input.userId, attempts: record.attempts, error: input.error },
    "account deletion attempt failed",
  );
  return deletionView(record);
}
