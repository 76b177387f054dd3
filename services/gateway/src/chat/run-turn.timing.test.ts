import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv, ZGatewayEnv } from "@dogi/config";
import type { TChatDoneEvent, TInferenceStatus, TUserId } from "@dogi/contracts";
import { createLogger } from "@dogi/logger";
import { startSessionService } from "@dogi/session/testing";
import { testInternalSecret } from "@dogi/testing";
import type { SessionTestService } from "@dogi/session/testing";
import { createServiceClients } from "../clients.ts";
import type { ServiceClients } from "../clients.ts";
import type { InferencePool } from "../inference/pool.ts";
import type { GenerationQueue } from "./generation-queue.ts";
import { runTurn } from "./run-turn.ts";

// runTurn in front of a real session service (SQLite), with no model (retrieval-only) and no
// knowledge base: the stored turn carries the attempt's timing for the usage report.
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

describe("runTurn's timing", () => {
  it("stores the first-token time it reported and that the answer came from retrieval only", async () => {
    const userId = randomUUID() as TUserId;
    const chat = await clients.session.createSession.mutate({ userId });
    const { turn } = await clients.session.appendTurn.mutate({
      userId,
      sessionId: chat.sessionId,
      question: "My dog ate grapes",
    });
    const done: TChatDoneEvent[] = [];
    await runTurn(
      {
        services: clients,
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
      {
        userId,
        session: chat,
        turn,
        pet: null,
        signal: new AbortController().signal,
        sink: {
          triage: () => undefined,
          meta: () => undefined,
          queued: () => undefined,
          delta: () => undefined,
          done: (event) => done.push(event),
          error: () => undefined,
        },
      },
    );
    const reported = done[0]?.timings.first_token_ms;
    expect(reported).toEqual(expect.any(Number));
    const stored = await session.store.findTurn(userId, chat.sessionId, turn.messageIndex);
    expect(stored).toMatchObject({
      status: "complete",
      retrievalOnly: true,
      firstTokenMs: reported,
      answerChars: stored?.answer?.length,
    });
    // The owner's view of the turn does not carry it.
    const [listed] = (await clients.session.listTurns.query({ userId, sessionId: chat.sessionId }))
      .items;
    expect(listed).not.toHaveProperty("firstTokenMs");
  });
});
