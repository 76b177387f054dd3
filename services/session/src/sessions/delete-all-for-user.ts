import type { SessionDeps } from "../deps.ts";

/** Deletes every session and turn of a user (account deletion). */
export async function deleteAllForUser(
  deps: SessionDeps,
  input: { userId: string },
): Promise<{ deletedSessions: number }> {
  return { deletedSessions: await deps.store.deleteAllForUser(input.userId) };
}
