import type { TChatSession, TRenameSessionRequest } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import { sessionNotFound } from "./require-session.ts";

/** Sets the title the user chose; automatic titles never replace it afterwards. */
export async function renameSession(
  deps: SessionDeps,
  input: TRenameSessionRequest,
): Promise<TChatSession> {
  const session = await deps.store.setTitle({
    userId: input.userId,
    sessionId: input.sessionId,
    title: input.title,
    titleSource: "user",
    now: deps.now().toISOString(),
  });
  if (!session) throw sessionNotFound(input.sessionId);
  return session;
}
