import type { IncomingMessage, ServerResponse } from "node:http";
import express from "express";
import type { TGatewayEnv } from "@dogi/config";
import type { TInferenceStatus } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import { AppError, createServiceApp, withoutDetails } from "@dogi/trpc";
import type { HealthReporter } from "@dogi/trpc";
import { Authenticator } from "./auth/authenticator.ts";
import { shareRevocations } from "./auth/revocations.ts";
import { BackgroundWork } from "./background.ts";
import { DeletionJob } from "./auth/deletion-job.ts";
import { requireAdmin } from "./admin/require-admin.ts";
import { adminRoutes } from "./admin/routes.ts";
import { authRoutes } from "./auth/routes.ts";
import { gatewaySigner } from "./clients.ts";
import type { ServiceClients } from "./clients.ts";
import { parseTrustedProxies } from "./edge/client-ip.ts";
import { parseByteSize } from "./edge/body.ts";
import { Edge } from "./edge/edge.ts";
import type { GatewayState } from "./edge/edge.ts";
import { GatewayMetrics } from "./edge/metrics.ts";
import { metricsAccess } from "./edge/metrics-access.ts";
import { memoryLimiters } from "./edge/rate-limiter.ts";
import { redisLimiters } from "./edge/redis-limiters.ts";
import { RefusalPace } from "./edge/refusal-pace.ts";
import { LocalUserStreams, sharedUserStreams } from "./edge/user-streams.ts";
import { TRPC_MAX_BATCH } from "./edge/request-cost.ts";
import { createChat } from "./chat/create-chat.ts";
import { GenerationQueue } from "./chat/generation-queue.ts";
import { sendFailure } from "./http/failure.ts";
import { trpcBody } from "./http/json-body.ts";
import { mountRestRoutes } from "./http/rest.ts";
import { createOpenAiProxy } from "./inference/openai-proxy.ts";
import { InferencePool } from "./inference/pool.ts";
import { llmRoutes } from "./llm/routes.ts";
import { petRecordRoutes } from "./pets/record-routes.ts";
import { openApiDocument, openApiPage } from "./openapi/document.ts";
import { gatewayRouter } from "./router.ts";
import { connectRedis } from "./redis.ts";
import { statusPage } from "./status-page.ts";
import { mountWebSession } from "./web/session-cookie.ts";
import { mountWebPage } from "./web/static.ts";

/** The settings the gateway's app reads (its env schema's fields). */
export type GatewaySettings = Omit<TGatewayEnv, "GATEWAY_PORT" | "GATEWAY_HOST">;

export interface GatewayAppDeps {
  logger: Logger;
  health: HealthReporter;
  services: ServiceClients;
  env: GatewaySettings;
}

const STATUS_CACHE_MS = 2_000;
const list = (value: string) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** The public edge: REST /v1/auth and /v1/llm, OpenAI's /v1, /trpc, /metrics, and the page at /. */
export function createGateway(deps: GatewayAppDeps) {
  const { env, logger, services } = deps;
  const metrics = new GatewayMetrics();
  const trusted = parseTrustedProxies(env.TRUSTED_PROXIES);
  const authenticator = new Authenticator(services, env.GATEWAY_AUTH_CACHE_MS);
  const signer = gatewaySigner(env);
  const pool = new InferencePool(
    env.INFERENCE_URLS ? list(env.INFERENCE_URLS) : [env.INFERENCE_URL],
    {
      logger,
      healthIntervalMs: env.INFERENCE_HEALTH_INTERVAL_MS,
      headersTimeoutMs: env.GATEWAY_UPSTREAM_HEADERS_TIMEOUT_MS,
      idleTimeoutMs: env.GATEWAY_UPSTREAM_IDLE_TIMEOUT_MS,
      credential: () => signer.credentialFor("inference"),
    },
  );
  metrics.replicas = () => pool.snapshot();
  const state: GatewayState = { inFlight: 0, draining: false, requests: 0 };
  const background = new BackgroundWork();
  // Started by main.ts, as the pool's probes are: tests of a single route run without it.
  const deletions = new DeletionJob({
    services,
    logger,
    retryMs: env.GATEWAY_DELETION_RETRY_MS,
    background,
  });
  // With Redis, every replica counts against one set of limits and hears every revocation.
  const redis = env.REDIS_URL ? connectRedis(env.REDIS_URL, logger) : undefined;
  const limiter = redis ? redisLimiters(redis.commands, { logger }) : memoryLimiters();
  const revocations = redis ? shareRevocations({ authenticator, redis, logger }) : undefined;
  const userLimiter = limiter("user", env.RATE_LIMIT_USER_PER_MINUTE);
  const tokenLimiter = limiter("chat_tokens", env.CHAT_TOKENS_PER_MINUTE);
  const userStreams = redis
    ? sharedUserStreams(redis.commands, env.GATEWAY_MAX_STREAMS_PER_USER, { logger })
    : new LocalUserStreams(env.GATEWAY_MAX_STREAMS_PER_USER);
  const generationQueue = new GenerationQueue({
    capacity: env.GATEWAY_MAX_STREAMS,
    queueMax: env.CHAT_QUEUE_MAX,
    timeoutMs: env.CHAT_QUEUE_TIMEOUT_MS,
  });

  let status: { value: TInferenceStatus | null; at: number } = { value: null, at: 0 };
  const inferenceStatus = async (): Promise<TInferenceStatus | null> => {
    if (Date.now() - status.at < STATUS_CACHE_MS) return status.value;
    const value = await services.inference.status.query().catch(() => null);
    status = { value, at: Date.now() };
    return value;
  };

  const limitUser = async (userId: string) => {
    const verdict = await userLimiter.take(userId);
    if (verdict.ok) return;
    metrics.rateLimited("user");
    throw new AppError(
      "RATE_LIMITED",
      `Too many requests; try again in ${verdict.retryAfterSeconds} seconds.`,
      {
        retryAfterSeconds: verdict.retryAfterSeconds,
      },
    );
  };

  const chat = createChat({
    env,
    services,
    pool,
    logger,
    limiter,
    tokenLimiter,
    userStreams,
    generationQueue,
    streams: state,
    metrics,
    background,
    inferenceStatus,
  });
  const accountDeps = {
    services,
    authenticator: revocations ?? authenticator,
    trustedProxies: trusted,
    logger,
    deletionRetryMs: env.GATEWAY_DELETION_RETRY_MS,
  };
  const routes = [
    // First: its /v1/auth/pets/due-soon would otherwise be taken for a pet id.
    ...petRecordRoutes({ services }),
    ...authRoutes(accountDeps),
    ...llmRoutes(chat),
    ...adminRoutes(accountDeps),
  ];
  const mayReadMetrics = metricsAccess({ token: env.METRICS_TOKEN, trusted });
  const isLocalClient = metricsAccess({ token: "", trusted });
  // Readiness names the dependencies and what they answered: for this machine and scrapers only.
  const mayReadDetails = (req: IncomingMessage) =>
    isLocalClient(req) === null || (env.METRICS_TOKEN !== "" && mayReadMetrics(req) === null);
  const document = openApiDocument(routes.map((r) => r.doc));
  const docsPage = openApiPage(document);

  const inner = createServiceApp({
    logger,
    health: deps.health,
    devErrors: env.DOGI_DEV_ERRORS,
    router: gatewayRouter,
    access: { kind: "public" },
    createContext: (base) => ({
      ...base,
      services,
      authenticator,
      chat,
      limitUser,
      admin: accountDeps,
    }),
    maxBatchSize: TRPC_MAX_BATCH,
    readinessDetails: mayReadDetails,
    routes: (app) => {
      mountWebSession(app, { services, trustedProxies: trusted });
      mountWebPage(app, { inferenceStatus });
      app.get("/", async (req, res) => {
        const report = await deps.health.readiness();
        res.type("html").send(statusPage(mayReadDetails(req) ? report : withoutDetails(report)));
      });
      app.get("/v1/openapi.json", (_req, res) => {
        res.json(document);
      });
      app.get("/v1/docs", (_req, res) => {
        res.type("html").send(docsPage);
      });
      app.get("/metrics", async (req, res) => {
        const refused = mayReadMetrics(req);
        if (refused) {
          if (refused.code === "UNAUTHENTICATED") res.setHeader("www-authenticate", "Bearer");
          sendFailure(res, req.requestId, refused);
          return;
        }
        const text = await metrics.render();
        res.type(metrics.contentType).send(text);
      });
      mountRestRoutes(app, routes, {
        authenticator,
        bodyLimit: env.GATEWAY_BODY_LIMIT,
        limitUser: (caller) => limitUser(caller.userId),
        requireAdmin: async (caller) => {
          await requireAdmin(services, caller);
        },
      });
    },
  });

  // One pace for the edge's per-address limit and the OpenAI door's per-user ones (keys differ).
  const refusalPace = new RefusalPace(env.GATEWAY_REFUSAL_HOLD_MS, () => metrics.refusalHeld());
  const edge = new Edge({
    logger,
    metrics,
    state,
    trusted,
    corsOrigins: list(env.CORS_ORIGINS),
    ipLimiter: limiter("ip", env.RATE_LIMIT_IP_PER_MINUTE),
    refusalPace,
  });
  const openAiProxy = createOpenAiProxy({
    pool,
    authenticator,
    userLimiter,
    tokenLimiter,
    userStreams,
    policy: { maxTokens: env.OPENAI_MAX_TOKENS, maxPromptChars: env.OPENAI_MAX_PROMPT_CHARS },
    edge,
    logger,
    bodyLimitBytes: parseByteSize(env.GATEWAY_OPENAI_BODY_LIMIT),
    onRateLimited: (limit) => metrics.rateLimited(limit),
    refusalPace,
  });

  const app = express();
  app.disable("x-powered-by");
  // The same routes for a server given `app` itself (tests); `listener` skips Express for them.
  app.use((req, res, next) => {
    if (!openAiProxy(req, res)) next();
  });
  app.use(edge.middleware());
  app.use("/trpc", trpcBody(parseByteSize(env.GATEWAY_BODY_LIMIT)));
  app.use(inner);
  /**
   * The server's request listener: the OpenAI-compatible routes are answered ahead of Express
   * (the hot path passes the same edge, but not Express's per-request setup and routing).
   */
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (!openAiProxy(req, res)) app(req, res);
  };

  return {
    app,
    listener,
    pool,
    state,
    metrics,
    background,
    /** Finishes account deletions left unfinished (start and stop it with the server). */
    deletions,
    /** Settles once this replica hears revocations from the others (at once without Redis). */
    sharing: revocations?.subscribed ?? Promise.resolve(),
    /** Drops the connections to Redis, if any (last, on shutdown). */
    closeShared: () => {
      if ("close" in userStreams) userStreams.close();
      redis?.close();
    },
  };
}
