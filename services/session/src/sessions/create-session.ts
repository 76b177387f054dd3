import { randomUUID } from "node:crypto";
import type { TChatSession, TCreateSessionRequest, TSessionId } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import { DEFAULT_TITLE } from "./auto-title.ts";

/**
 * Creates an empty session; without a title it is "New chat" until the first question names it.
 * A user at SESSION_MAX_SESSIONS_PER_USER gets LIMIT_REACHED.
 */
export async function createSession(
  deps: SessionDeps,
  input: TCreateSessionRequest,
): Promise<TChatSession> {
  const now = deps.now().toISOString();
  const session: TChatSession = {
    sessionId: randomUUID() as TSessionId,
    userId: input.userId,
    petId: input.petId ?? null,
    title: input.title ?? DEFAULT_TITLE,
    titleSource: input.title === undefined ? "default" : "user",
    createdAt: now,
    updatedAt: now,
    turnCount: 0,
  };
  const maxPerUser = deps.limits.maxSessionsPerUser;
  if (!(await deps.store.insertSession(session, { maxPerUser }))) {
    throw new AppError(
      "LIMIT_REACHED",
      `You have ${maxPerUser} chats, the most one account may keep; delete some to start a new one.`,
    );
  }
  return session;
}
