import { randomUUID } from "node:crypto";
import type { TChatSession, TCreateSessionInput, TSessionId } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import { DEFAULT_TITLE } from "./auto-title.ts";

/** Creates an empty session; without a title it is "New chat" until the first question names it. */
export async function createSession(
  deps: SessionDeps,
  input: TCreateSessionInput,
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
  await deps.store.insertSession(session);
  return session;
}
