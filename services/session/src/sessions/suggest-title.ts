import type { TChatSession, TSuggestTitleRequest } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import { requireSession } from "./require-session.ts";

/**
 * The gateway's hook for a model-written title: it replaces the default or automatic title,
 * never one the user typed. Returns the session as it now is (with the title applied or not).
 */
export async function suggestTitle(
  deps: SessionDeps,
  input: TSuggestTitleRequest,
): Promise<TChatSession> {
  const updated = await deps.store.setTitle({
    userId: input.userId,
    sessionId: input.sessionId,
    title: input.title,
    titleSource: "model",
    replaceable: ["default", "auto", "model"],
    now: deps.now().toISOString(),
  });
  return updated ?? requireSession(deps, input);
}
