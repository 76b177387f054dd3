import { describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import type { TChatSession, TPet, TTurn } from "@dogi/contracts";
import { SessionPets, storeQuestion } from "./store-question.ts";

const USER = "00000000-0000-4000-8000-000000000001" as TChatSession["userId"];
const SESSION = "00000000-0000-4000-8000-000000000002" as TChatSession["sessionId"];

/** A service's refusal as the tRPC client reports it (the gateway's isNotFound reads appCode). */
const refused = (appCode: string) =>
  new TRPCClientError(appCode, { result: { error: { data: { appCode } } } } as never);

/** A deferred promise: the test decides when a read answers. */
function later<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** The session service and auth as storeQuestion sees them, with what each was asked. */
function fakes(options: { sessionPetId?: string | null; foreignSession?: boolean } = {}) {
  const log: string[] = [];
  const sessionRead = later<TChatSession>();
  const petRead = later<TPet | null>();
  const failed: unknown[] = [];
  const turn = { sessionId: SESSION, messageIndex: 3, status: "pending" } as unknown as TTurn;
  const deps = {
    services: {
      auth: {},
      rag: { search: { query: async () => ({ hits: [] }) } },
      session: {
        sessions: {
          get: {
            query: () => {
              log.push("session read");
              return sessionRead.promise;
            },
          },
        },
        turns: {
          append: {
            mutate: async () => {
              log.push("append");
              // The session service stores a question only in the caller's own session.
              if (options.foreignSession) throw refused("NOT_FOUND");
              return { turn, created: true };
            },
          },
          fail: {
            mutate: async (input: unknown) => {
              failed.push(input);
              return turn;
            },
          },
          listForPrompt: { query: async () => ({ items: [], nextCursor: null }) },
        },
      },
    } as never,
    logger: { warn: () => undefined, error: () => undefined },
    inferenceStatus: async () => null,
  };
  const session = { sessionId: SESSION, userId: USER, petId: options.sessionPetId ?? null };
  return {
    deps,
    log,
    failed,
    answerSession: () => sessionRead.resolve(session as unknown as TChatSession),
    failSession: (error: unknown) => sessionRead.reject(error),
    petRead,
    loadPet: async (petId: string) => {
      log.push(`pet ${petId}`);
      return petRead.promise;
    },
  };
}

const ask = (f: ReturnType<typeof fakes>, petId: string | null, sessionPets?: SessionPets) =>
  storeQuestion(
    { ...f.deps, ...(sessionPets ? { sessionPets } : {}) },
    {
      userId: USER,
      sessionId: SESSION,
      question: "밥을 안 먹어요",
      clientMessageId: undefined,
      petId,
      loadPet: f.loadPet,
    },
  );

describe("storeQuestion", () => {
  it("stores a question that names no pet alongside the session read, not after it", async () => {
    const f = fakes();
    const stored = ask(f, null);
    await new Promise((resolve) => setImmediate(resolve));
    // The session has not answered yet, and the question is already on its way.
    expect(f.log).toEqual(["session read", "append"]);
    f.answerSession();
    const { appended, pet } = await stored;
    expect(appended.turn.messageIndex).toBe(3);
    expect(pet).toBeNull();
  });

  it("checks a pet the request names before storing anything, and stores nothing when it is refused", async () => {
    const f = fakes();
    const stored = ask(f, "someone-elses-pet");
    f.answerSession();
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.log).not.toContain("append");
    f.petRead.reject(refused("NOT_FOUND"));
    await expect(stored).rejects.toBeInstanceOf(TRPCClientError);
    expect(f.log).not.toContain("append");
    expect(f.failed).toEqual([]);
  });

  it("goes on without a profile when the session's own pet was deleted", async () => {
    const f = fakes({ sessionPetId: "deleted-pet" });
    const stored = ask(f, null);
    f.answerSession();
    f.petRead.reject(refused("NOT_FOUND"));
    const { pet, appended } = await stored;
    expect(pet).toBeNull();
    expect(appended.created).toBe(true);
    expect(f.log).toContain("pet deleted-pet");
    expect(f.failed).toEqual([]);
  });

  it("marks the question just stored failed, not pending, when a read then fails", async () => {
    const f = fakes({ sessionPetId: "p1" });
    const stored = ask(f, null);
    f.answerSession();
    f.petRead.reject(refused("UPSTREAM_UNAVAILABLE"));
    await expect(stored).rejects.toBeInstanceOf(TRPCClientError);
    expect(f.failed).toEqual([
      expect.objectContaining({
        userId: USER,
        sessionId: SESSION,
        messageIndex: 3,
        error: expect.objectContaining({ code: "UPSTREAM_UNAVAILABLE" }),
      }),
    ]);
  });

  it("refuses another user's session with NOT_FOUND, nothing stored", async () => {
    const f = fakes({ foreignSession: true });
    const stored = ask(f, null);
    f.failSession(refused("NOT_FOUND"));
    await expect(stored).rejects.toMatchObject({ data: { appCode: "NOT_FOUND" } });
    expect(f.failed).toEqual([]);
  });

  it("starts reading the session's pet at once when this replica knows it, and reads again when it changed", async () => {
    const pets = new SessionPets();
    pets.set(USER, SESSION, "p1");
    const f = fakes({ sessionPetId: "p1" });
    const stored = ask(f, null, pets);
    await new Promise((resolve) => setImmediate(resolve));
    // Before the session has answered: the pet is on its way with the question.
    expect(f.log.sort()).toEqual(["append", "pet p1", "session read"]);
    f.petRead.resolve({ petId: "p1", name: "Bori" } as unknown as TPet);
    f.answerSession();
    expect((await stored).pet?.name).toBe("Bori");

    // The session now names another pet (changed through another replica): that one is read.
    const moved = fakes({ sessionPetId: "p2" });
    const again = ask(moved, null, pets);
    moved.answerSession();
    moved.petRead.resolve({ petId: "p2", name: "Nabi" } as unknown as TPet);
    expect((await again).pet?.name).toBe("Nabi");
    expect(moved.log.filter((entry) => entry.startsWith("pet"))).toEqual(["pet p1", "pet p2"]);
    expect(pets.get(USER, SESSION)).toBe("p2");
  });

  it("keeps at most its size of sessions, the least recently asked going first", () => {
    const pets = new SessionPets(2);
    pets.set(USER, "a", "p1");
    pets.set(USER, "b", null);
    pets.set(USER, "a", "p1");
    pets.set(USER, "c", "p3");
    expect([pets.get(USER, "a"), pets.get(USER, "b"), pets.get(USER, "c")]).toEqual([
      "p1",
      undefined,
      "p3",
    ]);
  });
});
