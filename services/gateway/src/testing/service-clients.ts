import { afterAll, beforeAll } from "vitest";
import type { TInferenceStatus } from "@dogi/contracts";
import { startSessionService } from "@dogi/session/testing";
import type { SessionTestService } from "@dogi/session/testing";
import { createLogger } from "@dogi/logger";
import { testInternalSecret } from "@dogi/testing";
import type { TurnDeps } from "../chat/run-turn.ts";
import type { GenerationQueue } from "../chat/generation-queue.ts";
import { createServiceClients } from "../clients.ts";
import type { ServiceClients } from "../clients.ts";
import type { InferencePool } from "../inference/pool.ts";

/** A port nothing listens on: a service a test does not start answers as if down. */
export const closedServiceUrl = "http://127.0.0.1:9";

type ServiceUrl = "AUTH_URL" | "SESSION_URL" | "RAG_URL" | "INFERENCE_URL";

/** The gateway's clients to the services a test started; the others point at a closed port. */
export function testServiceClients(
  urls: Partial<Record<ServiceUrl, string>>,
  timeoutMs = 10_000,
): ServiceClients {
  return createServiceClients({
    AUTH_URL: closedServiceUrl,
    SESSION_URL: closedServiceUrl,
    RAG_URL: closedServiceUrl,
    INFERENCE_URL: closedServiceUrl,
    ...urls,
    INTERNAL_CALL_TIMEOUT_MS: timeoutMs,
    INTERNAL_SECRET: testInternalSecret,
  });
}

/** Inference with no model: a turn is answered from retrieval only. */
export const noModelStatus: TInferenceStatus = {
  mode: "none",
  canGenerate: false,
  defaultModel: null,
  models: [],
  backend: null,
  upstream: null,
  scheduler: { parallel: 1, busySequences: 0, queueDepth: 0, queueMax: 1 },
  hint: "Put a GGUF file in models/.",
};

/** runTurn's dependencies with no model, so the answer is the text runTurn writes itself. */
export function retrievalOnlyTurnDeps(services: ServiceClients): TurnDeps {
  return {
    services,
    // Neither is reached: no model means no generation and no second triage opinion.
    pool: {} as InferencePool,
    generationQueue: {} as GenerationQueue,
    logger: createLogger({ service: "gateway", level: "silent" }),
    maxTokens: 64,
    contextChars: 4_000,
    inferenceStatus: () => Promise.resolve(noModelStatus),
    chargeTokens: () => Promise.resolve(),
    queueTimeoutMs: 1_000,
  };
}

/**
 * A real session service (SQLite) started before the file's tests and stopped after them, with
 * the gateway's clients to it; read its fields inside tests.
 */
export function sessionServiceForFile(): {
  readonly session: SessionTestService;
  readonly clients: ServiceClients;
} {
  let started: { session: SessionTestService; clients: ServiceClients } | undefined;
  const current = () => {
    if (!started) throw new Error("the session service starts in beforeAll");
    return started;
  };
  beforeAll(async () => {
    const session = await startSessionService();
    started = { session, clients: testServiceClients({ SESSION_URL: session.url }) };
  });
  afterAll(async () => started?.session.stop());
  return {
    get session() {
      return current().session;
    },
    get clients() {
      return current().clients;
    },
  };
}
