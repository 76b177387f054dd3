import type { SessionDeps } from "../deps.ts";
import { sessionNotFound } from "./require-session.ts";

/** Deletes a session with all its turns. */
export async function deleteSession(
  deps: SessionDeps,
  input: { userId: string; sessionId: string },
): Promise<{ deleted: true }> {
  const deleted = await deps.store.deleteSession(input.userId, input.sessionId);
  if (!deleted) throw sessionNotFound(input.sessionId);
  return { deleted: true };
}
