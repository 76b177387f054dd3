import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TInferenceStatus, TPet, TRagSearchHit, TUserId } from "@dogi/contracts";
import { createLogger } from "@dogi/logger";
import { startSessionService } from "@dogi/session/testing";
import type { SessionTestService } from "@dogi/session/testing";
import type { ServiceClients } from "../clients.ts";
import type { InferencePool } from "../inference/pool.ts";
import { startReplicaPool } from "../testing/replica.ts";
import type { TestReplica } from "../testing/replica.ts";
import { GenerationQueue } from "./generation-queue.ts";
import type { ChatMessage } from "./prompt.ts";
import { runTurn } from "./run-turn.ts";
import { testServiceClients } from "../testing/service-clients.ts";
import type { TurnSink } from "./run-turn.ts";

// runTurn over a real session service (SQLite) and an OpenAI-compatible replica that records
// what it is sent: each turn's prompt, as inference receives it, must begin with the last
// turn's prompt and the model's answer, byte for byte, so that the prompt cache serves it.
let session: SessionTestService;
let clients: ServiceClients;
let replica: TestReplica;
let pool: InferencePool;
/** The context size the fake inference counts prompts against (one token per character). */
let contextSize = 1_000_000;

beforeAll(async () => {
  session = await startSessionService();
  clients = testServiceClients({ SESSION_URL: session.url });
  ({ replica, pool } = await startReplicaPool("r0"));
});
afterAll(async () => {
  await replica?.close();
  await session?.stop();
});

const generating: TInferenceStatus = {
  mode: "local",
  canGenerate: true,
  defaultModel: "r0",
  models: [],
  backend: null,
  upstream: null,
  scheduler: { parallel: 4, busySequences: 0, queueDepth: 0, queueMax: 4 },
  hint: null,
};

const hit = (question: string, rank: number): TRagSearchHit => {
  const text = `Passage ${rank} for "${question}": `.padEnd(
    600,
    "keep the dog calm and call the vet. ",
  );
  return {
    text,
    score: 1 / rank,
    citation: {
      documentId: `d${rank}`,
      source: `kb/d${rank}.md`,
      title: `Doc ${rank}`,
      section: "Signs",
    },
    species: "dog",
    language: "en",
    chunkIds: [`c${rank}`],
    start: 0,
    end: text.length,
  };
};

const lengthOf = (messages: readonly ChatMessage[]) =>
  messages.reduce((sum, message) => sum + message.content.length, 0);

/** The session and inference clients with retrieval and prompt counting played by the test. */
const services = (): ServiceClients =>
  ({
    ...clients,
    rag: {
      search: {
        query: ({ query }: { query: string }) =>
          Promise.resolve({ hits: [1, 2, 3].map((rank) => hit(query, rank)) }),
      },
    },
    inference: {
      ...clients.inference,
      countPrompt: {
        mutate: ({ messages }: { messages: ChatMessage[] }) =>
          Promise.resolve({ model: "r0", contextSize, promptTokens: lengthOf(messages) }),
      },
    },
  }) as unknown as ServiceClients;

const pet: TPet = {
  petId: "p1" as TPet["petId"],
  name: "Bori",
  species: "dog",
  breed: "Maltese",
  birthDate: null,
  weightKg: 3.5,
  sex: "female",
  neutered: true,
  knownConditions: [],
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

/** Asks `question` in the session through runTurn; returns what inference was sent and answered. */
async function ask(
  userId: TUserId,
  sessionId: string,
  question: string,
  answer: string[],
): Promise<{ messages: ChatMessage[]; sent: string }> {
  const chat = await clients.session.sessions.get.query({ userId, sessionId });
  const { turn } = await clients.session.turns.append.mutate({ userId, sessionId, question });
  replica.pieces = answer;
  const before = replica.received.length;
  let sent = "";
  const sink: TurnSink = {
    triage: () => undefined,
    meta: () => undefined,
    queued: () => undefined,
    delta: (text) => (sent += text),
    done: (event) => {
      // The prompt is made after retrieval (a notice may be the first text, before either).
      const { retrieval_ms, before_generation_ms } = event.timings;
      expect(before_generation_ms).toBeGreaterThanOrEqual(retrieval_ms);
    },
    error: (event) => {
      throw new Error(`the turn failed: ${event.message}`);
    },
  };
  await runTurn(
    {
      services: services(),
      pool,
      generationQueue: new GenerationQueue({ capacity: 4, queueMax: 4, timeoutMs: 5_000 }),
      logger: createLogger({ service: "gateway", level: "silent" }),
      maxTokens: 64,
      contextChars: 6_000,
      inferenceStatus: () => Promise.resolve(generating),
      chargeTokens: () => Promise.resolve(),
      queueTimeoutMs: 5_000,
      triageModelBudgetMs: 0,
    },
    { userId, session: chat, turn, pet, signal: new AbortController().signal, sink },
  );
  const requests = replica.received.slice(before).filter((r) => r.path === "/v1/chat/completions");
  expect(requests).toHaveLength(1);
  const body = JSON.parse(requests[0]?.body ?? "{}") as { messages: ChatMessage[] };
  return { messages: body.messages, sent };
}

/** The prompt as a ChatML model reads it: the bytes inference's cache compares. */
const chatMl = (messages: readonly ChatMessage[]) =>
  messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join("");

async function newSession(): Promise<{ userId: TUserId; sessionId: string }> {
  const userId = randomUUID() as TUserId;
  const { sessionId } = await clients.session.sessions.create.mutate({ userId });
  return { userId, sessionId };
}

describe("a conversation's prompts and inference's prompt cache", () => {
  it("begins each turn's prompt with the last turn's prompt and the model's answer, byte for byte", async () => {
    contextSize = 1_000_000;
    const { userId, sessionId } = await newSession();
    // An emergency: Dogi writes its notice before the model's answer, which the model never saw.
    const first = await ask(userId, sessionId, "My dog ate a whole bar of dark chocolate", [
      "Call your vet ",
      "now [1].",
    ]);
    expect(first.sent).toMatch(/^.+\n\nCall your vet now \[1\]\.$/s);
    let previous = first;
    let previousAnswer = "Call your vet now [1].";
    for (const [i, question] of [
      "Is milk chocolate safer?",
      "What signs should I watch?",
    ].entries()) {
      const answer = `Answer ${i + 2}: watch for vomiting [2].`;
      const next = await ask(userId, sessionId, question, [answer]);
      const prefix = `${chatMl(previous.messages)}<|im_start|>assistant\n${previousAnswer}`;
      expect(chatMl(next.messages).startsWith(prefix)).toBe(true);
      // The earlier turns still carry the passages they were answered from.
      const withPassages = next.messages.filter(
        (m) => m.role === "user" && m.content.includes("<passages>\n[1] Doc 1"),
      );
      expect(withPassages).toHaveLength(i + 2);
      previous = next;
      previousAnswer = answer;
    }
  });

  it("replays the last turn as question and answer when it no longer fits as sent, keeping the rest of its prompt", async () => {
    contextSize = 1_000_000;
    const { userId, sessionId } = await newSession();
    const first = await ask(userId, sessionId, "My dog is limping a little", ["Rest her [1]."]);
    const second = await ask(userId, sessionId, "Since this morning", ["Then rest a day [2]."]);
    // Room for the second prompt and a new turn, but not for the second turn's passages too.
    contextSize = lengthOf(second.messages) + 64 + 900;
    const third = await ask(userId, sessionId, "Can she go for walks?", ["Short ones [1]."]);
    const kept = second.messages.slice(0, -1);
    expect(third.messages.slice(0, kept.length)).toEqual(kept);
    expect(third.messages[kept.length]?.content).toBe(
      `<question>\nSince this morning\n</question>`,
    );
    expect(third.messages[kept.length + 1]).toEqual({
      role: "assistant",
      content: "Then rest a day [2].",
    });
    expect(chatMl(third.messages).startsWith(chatMl(first.messages))).toBe(true);
    // The next turn repeats that layout: it begins with the whole of the third turn's prompt.
    contextSize = 1_000_000;
    const fourth = await ask(userId, sessionId, "Thanks", ["You're welcome."]);
    expect(
      chatMl(fourth.messages).startsWith(
        `${chatMl(third.messages)}<|im_start|>assistant\nShort ones [1].`,
      ),
    ).toBe(true);
  });

  it("answers after turns stored without their context, replaying them as question and answer", async () => {
    contextSize = 1_000_000;
    const { userId, sessionId } = await newSession();
    // A turn as the previous release stored it: no prompt context.
    await clients.session.turns.append.mutate({ userId, sessionId, question: "Old question" });
    await clients.session.turns.complete.mutate({
      userId,
      sessionId,
      messageIndex: 0,
      answer: "Old answer",
    });
    const second = await ask(userId, sessionId, "New question", ["New answer."]);
    expect(second.messages.slice(1, 3)).toEqual([
      {
        role: "user",
        content: expect.stringMatching(
          /^<pet_profile>\nBori: dog[\s\S]*<question>\nOld question\n<\/question>$/,
        ),
      },
      { role: "assistant", content: "Old answer" },
    ]);
    const third = await ask(userId, sessionId, "Another", ["Done."]);
    expect(
      chatMl(third.messages).startsWith(
        `${chatMl(second.messages)}<|im_start|>assistant\nNew answer.`,
      ),
    ).toBe(true);
  });
});
