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
 * The pet each recently asked-in session names, per gateway replica: a turn starts reading the
 * pet, its record and retrieval at once with it instead of after the session read, which then
 * confirms it (a session whose pet changed meanwhile, or one asked in through another replica,
 * reads again). Entries come only from this user's own session reads.
 */
export class SessionPets {
  private readonly pets = new Map<string, string | null>();

  constructor(private readonly max = 10_000) {}

  get(userId: string, sessionId: string): string | null | undefined {
    return this.pets.get(`${userId}:${sessionId}`);
  }

  set(userId: string, sessionId: string, petId: string | null): void {
    const key = `${userId}:${sessionId}`;
    // Deleted and set again, so that a Map's insertion order is the order of last use.
    this.pets.delete(key);
    this.pets.set(key, petId);
    if (this.pets.size > this.max) {
      const oldest = this.pets.keys().next();
      if (!oldest.done) this.pets.delete(oldest.value);
    }
  }
}

/**
 * What both doors that ask (REST and /trpc) do first: read the session, start reading the turn's
 * context, and store the question. A pet named in the request is checked before the question is
 * stored (another user's pet is refused with nothing stored). Without one, the question is stored
 * alongside the session read: the session service stores it only in this user's own session, so
 * nothing waits for a read that cannot refuse more; the context starts with the pet the session
 * named last time (SessionPets) when this replica knows it. Should a read then fail (a service
 * away), the turn just stored is marked failed, not left pending.
 */
export async function storeQuestion(
  deps: TurnContextDeps & { logger: Pick<Logger, "warn" | "error">; sessionPets?: SessionPets },
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
  const contextFor = (petId: string | null | Promise<string | null>, named: boolean) =>
    startTurnContext(deps, {
      userId,
      sessionId,
      question: input.question,
      petId,
      // A pet the request names must be the caller's. The session's own pet was checked when
      // it was linked, so its absence now means it was deleted: the chat goes on without one.
      loadPet: named
        ? input.loadPet
        : (id) =>
            input.loadPet(id).catch((error: unknown) => {
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
    const context = contextFor(input.petId, true);
    const [chat, pet] = await Promise.all([reading, context.pet]);
    return { chat, pet, appended: await append(), context };
  }
  const known = deps.sessionPets?.get(userId, sessionId);
  let context = contextFor(known !== undefined ? known : reading.then((chat) => chat.petId), false);
  const [read, appended] = await Promise.allSettled([reading, append()]);
  if (appended.status === "rejected") throw appended.reason;
  try {
    if (read.status === "rejected") throw read.reason;
    const chat = read.value;
    deps.sessionPets?.set(userId, sessionId, chat.petId);
    if (known !== undefined && known !== chat.petId) context = contextFor(chat.petId, false);
    return { chat, pet: await context.pet, appended: appended.value, context };
  } catch (refusal) {
    if (appended.value.created) await markFailed(deps, appended.value.turn, userId, refusal);
    throw refusal;
  }
}

/** A question stored for a turn that could not go on: failed, not left pending. */
async function markFailed(
  deps: TurnContextDeps & { logger: Pick<Logger, "error"> },
  turn: TAppendTurnResponse["turn"],
  userId: TChatSession["userId"],
  refusal: unknown,
): Promise<void> {
  const failure = describeFailure(refusal);
  const ids = { userId, sessionId: turn.sessionId, messageIndex: turn.messageIndex };
  await deps.services.session.turns.fail
    .mutate({ ...ids, error: { code: failure.code, message: failure.message.slice(0, 2000) } })
    .catch((error: unknown) =>
      deps.logger.error({ err: error, ...ids }, "could not mark the turn failed"),
    );
}
