import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv, ZGatewayEnv } from "@dogi/config";
import type { TChatErrorEvent, TInferenceStatus, TUserId } from "@dogi/contracts";
import { createLogger } from "@dogi/logger";
import { startSessionService } from "@dogi/session/testing";
import { testInternalSecret } from "@dogi/testing";
import type { SessionTestService } from "@dogi/session/testing";
import { createServiceClients } from "../clients.ts";
import type { ServiceClients } from "../clients.ts";
import type { InferencePool } from "../inference/pool.ts";
import type { GenerationQueue } from "./generation-queue.ts";
import { runTurn } from "./run-turn.ts";
import type { TurnSink } from "./run-turn.ts";

// runTurn in front of a real session service (SQLite) whose completeTurn call fails on the way
// (a dropped connection): the turn must not stay pending. No model (retrieval-only), no
// knowledge base: the answer is the text runTurn writes itself.
let session: SessionTestService;
let clients: ServiceClients;

beforeAll(async () => {
  session = await startSessionService();
  clients = createServiceClients(
    loadEnv(ZGatewayEnv, {
      service: "gateway",
      source: {
        SESSION_URL: session.url,
        AUTH_URL: "http://127.0.0.1:9",
        RAG_URL: "http://127.0.0.1:9",
        INFERENCE_URL: "http://127.0.0.1:9",
        INTERNAL_SECRET: testInternalSecret,
        LOG_TO_FILE: "false",
      },
    }),
  );
});
afterAll(async () => session?.stop());

const noModel: TInferenceStatus = {
  mode: "none",
  canGenerate: false,
  defaultModel: null,
  models: [],
  backend: null,
  upstream: null,
  scheduler: { parallel: 1, busySequences: 0, queueDepth: 0, queueMax: 1 },
  hint: "Put a GGUF file in models/.",
};

/** The session client, with completeTurn failing as a dropped connection would. */
function sessionWithoutComplete(): ServiceClients["session"] {
  const failing = { mutate: () => Promise.reject(new Error("socket hang up")) };
  return new Proxy(clients.session, {
    get: (target, property) =>
      property === "completeTurn" ? failing : (Reflect.get(target, property) as unknown),
  });
}

describe("runTurn when the answer cannot be stored", () => {
  it("marks the turn failed with the text the user was sent, so it can be regenerated", async () => {
    const userId = randomUUID() as TUserId;
    const chat = await clients.session.createSession.mutate({ userId });
    const { turn } = await clients.session.appendTurn.mutate({
      userId,
      sessionId: chat.sessionId,
      question: "How often should I vaccinate my puppy?",
      clientMessageId: "m-unsaved",
    });
    let sent = "";
    const errors: TChatErrorEvent[] = [];
    let done = false;
    const sink: TurnSink = {
      triage: () => undefined,
      meta: () => undefined,
      queued: () => undefined,
      delta: (text) => (sent += text),
      done: () => (done = true),
      error: (event) => errors.push(event),
    };
    await runTurn(
      {
        services: { ...clients, session: sessionWithoutComplete() },
        // Neither is reached: no model means no generation and no second triage opinion.
        pool: {} as InferencePool,
        generationQueue: {} as GenerationQueue,
        logger: createLogger({ service: "gateway", level: "silent" }),
        maxTokens: 64,
        contextChars: 4_000,
        inferenceStatus: () => Promise.resolve(noModel),
        chargeTokens: () => Promise.resolve(),
        queueTimeoutMs: 1_000,
      },
      { userId, session: chat, turn, pet: null, signal: new AbortController().signal, sink },
    );

    expect(done).toBe(false);
    expect(errors).toEqual([
      expect.objectContaining({
        message_index: 0,
        message: "The answer could not be saved; try again.",
      }),
    ]);
    expect(sent.length).toBeGreaterThan(0);
    const [stored] = (await clients.session.listTurns.query({ userId, sessionId: chat.sessionId }))
      .items;
    expect(stored).toMatchObject({
      status: "error",
      answer: sent,
      error: { message: "The answer could not be saved." },
    });
    // The failure still records how the attempt went, for the operators' usage report.
    expect(await session.store.findTurn(userId, chat.sessionId, 0)).toMatchObject({
      retrievalOnly: true,
      firstTokenMs: expect.any(Number),
    });
    // Not stuck: a retry of the same message starts a new attempt, and so does regenerate.
    const retried = await clients.session.appendTurn.mutate({
      userId,
      sessionId: chat.sessionId,
      question: "How often should I vaccinate my puppy?",
      clientMessageId: "m-unsaved",
    });
    expect(retried).toMatchObject({
      created: true,
      turn: { status: "pending", history: [{ answer: sent }] },
    });
  });
});
