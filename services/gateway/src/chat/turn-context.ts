import type { TInferenceStatus, TPet, TPromptTurn, TRagSearchHit } from "@dogi/contracts";
import { DEFAULT_TIME_ZONE, todayIn } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { ServiceClients } from "../clients.ts";
import { readRecordForTurn } from "../pets/load-record.ts";
import { recordForPrompt } from "../pets/record-for-prompt.ts";
import type { RecordForPrompt } from "../pets/record-for-prompt.ts";

const PASSAGES = 5;
const HISTORY_PAGES = 5;
const NO_RECORD: RecordForPrompt = { profileLines: [], triageFacts: [], retrievalTerms: [] };

export interface Retrieval {
  hits: TRagSearchHit[];
  unavailable: boolean;
}

/**
 * What a chat turn reads before it can answer, each started as soon as what it needs is known:
 * the pet and its health record together (one pet id names both), retrieval once the record's
 * medications are known, the earlier turns and the model's state at once. The doors start it
 * before the question is stored, so none of it waits for that write.
 */
export interface TurnContext {
  /** The pet the turn is about; rejects as the pet read does (another user's pet: NOT_FOUND). */
  pet: Promise<TPet | null>;
  record: Promise<RecordForPrompt>;
  retrieval: Promise<Retrieval>;
  status: Promise<TInferenceStatus | null>;
  /** The session's turns before `messageIndex` (the last 20), oldest first. */
  earlierTurns: (messageIndex: number) => Promise<TPromptTurn[]>;
}

export interface TurnContextDeps {
  services: Pick<ServiceClients, "auth" | "rag" | "session">;
  logger: Pick<Logger, "warn">;
  inferenceStatus: () => Promise<TInferenceStatus | null>;
}

/** Starts reading a turn's context; see TurnContext. Nothing here rejects but `pet`. */
export function startTurnContext(
  deps: TurnContextDeps,
  input: {
    userId: string;
    sessionId: string;
    question: string;
    /**
     * The pet's id (null: no pet), or its promise when it comes from the session being read:
     * the earlier turns and the model's state are read meanwhile. Read with `loadPet`.
     */
    petId: string | null | Promise<string | null>;
    loadPet: (petId: string) => Promise<TPet | null>;
    /** Given when the pet is already at hand (a test, or a door that read it itself). */
    pet?: TPet | null;
    now?: Date;
  },
): TurnContext {
  const petId = Promise.resolve(input.petId);
  const petRead: Promise<TPet | null> =
    input.pet !== undefined
      ? Promise.resolve(input.pet)
      : petId.then((id) => (id ? input.loadPet(id) : null));
  // The record is read by the pet's id alongside the pet itself, by owner id: the turn may come
  // through an API key, which is no token to forward. Another user's pet reads as no record.
  const rawRecord = petId.then(
    (id) => (id ? readRecordForTurn(deps, { userId: input.userId, accessToken: null }, id) : null),
    () => null,
  );
  const today = todayIn(DEFAULT_TIME_ZONE, input.now ?? new Date());
  const record = Promise.all([petRead, rawRecord]).then(
    ([found, raw]) => (found ? recordForPrompt({ pet: found, record: raw, today }) : NO_RECORD),
    () => NO_RECORD,
  );
  // Retrieval favours passages about the pet's medications too: it waits for the pet and its
  // record (read together, above), not for anything slower.
  const retrieval = Promise.all([petRead, record]).then(
    ([found, context]) => search(deps, input.question, found, context.retrievalTerms),
    () => search(deps, input.question, null, []),
  );
  const turns = recentTurns(deps, input.userId, input.sessionId).catch((error: unknown) => {
    deps.logger.warn({ err: error }, "earlier turns unavailable; answering without them");
    return [] as TPromptTurn[];
  });
  // A pet that is refused is the door's to report; the reads above must not also go unhandled.
  petRead.catch(() => undefined);
  return {
    pet: petRead,
    record,
    retrieval,
    status: deps.inferenceStatus(),
    earlierTurns: async (messageIndex) =>
      (await turns).filter((turn) => turn.messageIndex < messageIndex).slice(-20),
  };
}

async function recentTurns(
  deps: TurnContextDeps,
  userId: string,
  sessionId: string,
): Promise<TPromptTurn[]> {
  // The session service lists turns oldest first; sessions are short, so a few pages cover them.
  // Each comes with the context its prompt carried, read under this user like the turn itself.
  const turns: TPromptTurn[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    const result = await deps.services.session.turns.listForPrompt.query({
      userId,
      sessionId,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    turns.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return turns;
}

async function search(
  deps: TurnContextDeps,
  question: string,
  pet: TPet | null,
  /** More of the pet's conditions from its health record (its current medications). */
  recordTerms: readonly string[],
): Promise<Retrieval> {
  try {
    const result = await deps.services.rag.search.query({
      query: question.slice(0, 2000),
      limit: PASSAGES,
      ...(pet
        ? {
            species: pet.species,
            pet: {
              species: pet.species,
              ...(pet.breed ? { breed: pet.breed.slice(0, 100) } : {}),
              conditions: [...pet.knownConditions, ...recordTerms]
                .slice(0, 20)
                .map((c) => c.slice(0, 100)),
            },
          }
        : {}),
    });
    return { hits: result.hits, unavailable: false };
  } catch (error) {
    deps.logger.warn({ err: error }, "knowledge base unavailable; answering without passages");
    return { hits: [], unavailable: true };
  }
}
