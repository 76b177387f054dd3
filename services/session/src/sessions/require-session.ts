import type { TChatSession } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";

/** NOT_FOUND, worded the same whether the session is missing or another user's. */
export function sessionNotFound(sessionId: string): AppError {
  return new AppError("NOT_FOUND", `No session ${sessionId} for this user.`);
}

/** The user's session, or NOT_FOUND. */
export async function requireSession(
  deps: SessionDeps,
  options: { userId: string; sessionId: string },
): Promise<TChatSession> {
  const session = await deps.store.findSession(options.userId, options.sessionId);
  if (!session) throw sessionNotFound(options.sessionId);
  return session;
}
