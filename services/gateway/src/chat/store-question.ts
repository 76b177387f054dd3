import type { TAppendTurnResponse, TChatSession, TPet } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import { describeFailure } from "../http/failure.ts";
import { isNotFound } from "../pets/load-record.ts";
import { startTurnContext } from "./turn-context.ts";
import type { TurnContext, TurnContextDeps } from "./turn-context.ts";

export interface StoredQuestion {
  chat: TChatSession;
  pet: TPet | null;
  appended: TAppendTurnResponse;
  /** What the turn reads, started with the session read (see startTurnContext). */
  context: TurnContext;
}

/**
 * What both doors that ask (REST and /trpc) do first: read the session, start reading the turn's
 * context, and store the question. A pet named in the request is checked before the question is
 * stored (another user's pet is refused with nothing stored). Without one, the question is stored
 * alongside the session read: the session service stores it only in this user's own session, so
 * nothing waits for a read that cannot refuse more; should a read then fail (a service away),
 * the turn just stored is marked failed, not left pending.
 */
export async function storeQuestion(
  deps: TurnContextDeps & { logger: Pick<Logger, "warn" | "error"> },
  input: {
    userId: TChatSession["userId"];
    sessionId: TChatSession["sessionId"];
    question: string;
    clientMessageId: string | undefined;
    /** The pet the request names (null or absent: the session's). */
    petId: string | null | undefined;
    loadPet: (petId: string) => Promise<TPet | null>;
  },
): Promise<StoredQuestion> {
  const { session } = deps.services;
  const { userId, sessionId } = input;
  const reading = session.sessions.get.query({ userId, sessionId });
  const context = startTurnContext(deps, {
    userId,
    sessionId,
    question: input.question,
    petId: input.petId ?? reading.then((chat) => chat.petId),
    // A pet the request names must be the caller's. The session's own pet was checked when it
    // was linked, so its absence now means it was deleted: the chat goes on without a profile.
    loadPet: input.petId
      ? input.loadPet
      : (petId) =>
          input.loadPet(petId).catch((error: unknown) => {
            if (isNotFound(error)) return null;
            throw error;
          }),
  });
  const append = () =>
    session.turns.append.mutate({
      userId,
      sessionId,
      question: input.question,
      ...(input.clientMessageId ? { clientMessageId: input.clientMessageId } : {}),
    });
  if (input.petId) {
    const [chat, pet] = await Promise.all([reading, context.pet]);
    return { chat, pet, appended: await append(), context };
  }
  const [read, pet, appended] = await Promise.allSettled([reading, context.pet, append()]);
  if (appended.status === "rejected") throw appended.reason;
  if (read.status === "fulfilled" && pet.status === "fulfilled")
    return { chat: read.value, pet: pet.value, appended: appended.value, context };
  const refusal: unknown =
    read.status === "rejected" ? read.reason : (pet as PromiseRejectedResult).reason;
  if (appended.value.created) {
    const failure = describeFailure(refusal);
    await session.turns.fail
      .mutate({
        userId,
        sessionId,
        messageIndex: appended.value.turn.messageIndex,
        error: { code: failure.code, message: failure.message.slice(0, 2000) },
      })
      .catch((error: unknown) =>
        deps.logger.error({ err: error, userId, sessionId }, "could not mark the turn failed"),
      );
  }
  throw refusal;
}
