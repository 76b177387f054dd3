import type { TGatewayEnv } from "@dogi/config";
import type { TInferenceStatus } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { BackgroundWork } from "../background.ts";
import type { ServiceClients } from "../clients.ts";
import type { GatewayMetrics } from "../edge/metrics.ts";
import type { Limiter, LimiterFactory } from "../edge/rate-limiter.ts";
import type { UserStreams } from "../edge/user-streams.ts";
import type { InferencePool } from "../inference/pool.ts";
import type { TurnAdmissionDeps } from "./admission.ts";
import type { GenerationQueue } from "./generation-queue.ts";
import type { TurnDeps } from "./run-turn.ts";
import { SessionPets } from "./store-question.ts";

/**
 * The chat module: the turn's code with its limits, queue and stream count, built once and
 * shared by both doors that ask questions, REST (llm/routes.ts) and /trpc (rpc/ask.ts).
 */
export interface Chat extends TurnAdmissionDeps {
  services: ServiceClients;
  turn: TurnDeps;
}

/** Builds the chat module from the gateway's settings and the parts the edge shares with it. */
export function createChat(options: {
  env: Pick<
    TGatewayEnv,
    | "CHAT_MAX_TOKENS"
    | "CHAT_IGNORE_EOS"
    | "CHAT_CONTEXT_CHARS"
    | "TRIAGE_MODEL"
    | "TRIAGE_MODEL_BUDGET_MS"
    | "CHAT_QUEUE_TIMEOUT_MS"
    | "CHAT_TURNS_PER_MINUTE"
  >;
  services: ServiceClients;
  pool: InferencePool;
  logger: Logger;
  limiter: LimiterFactory;
  /** Shared with the OpenAI-compatible door: one token allowance per user. */
  tokenLimiter: Limiter;
  userStreams: UserStreams;
  generationQueue: GenerationQueue;
  streams: TurnAdmissionDeps["streams"];
  metrics: Pick<GatewayMetrics, "title" | "rateLimited">;
  background: BackgroundWork;
  inferenceStatus: () => Promise<TInferenceStatus | null>;
}): Chat {
  const { env, services, tokenLimiter, metrics } = options;
  return {
    services,
    turn: {
      services,
      pool: options.pool,
      logger: options.logger,
      maxTokens: env.CHAT_MAX_TOKENS,
      ignoreEos: env.CHAT_IGNORE_EOS,
      contextChars: env.CHAT_CONTEXT_CHARS,
      triageModelBudgetMs: env.TRIAGE_MODEL === "off" ? 0 : env.TRIAGE_MODEL_BUDGET_MS,
      inferenceStatus: options.inferenceStatus,
      generationQueue: options.generationQueue,
      queueTimeoutMs: env.CHAT_QUEUE_TIMEOUT_MS,
      chargeTokens: (userId, tokens) => tokenLimiter.charge(userId, tokens),
      onTitle: (outcome) => metrics.title(outcome),
      // Session titles written after a first turn outlive its request; shutdown waits for them.
      background: options.background,
      sessionPets: new SessionPets(),
    },
    turnLimiter: options.limiter("chat_turns", env.CHAT_TURNS_PER_MINUTE),
    tokenLimiter,
    userStreams: options.userStreams,
    generationQueue: options.generationQueue,
    streams: options.streams,
    onRateLimited: (limit) => metrics.rateLimited(limit),
  };
}
