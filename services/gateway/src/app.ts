import express from "express";
import type { TGatewayEnv } from "@dogi/config";
import type { TInferenceStatus } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import { AppError, createServiceApp } from "@dogi/trpc";
import type { HealthReporter } from "@dogi/trpc";
import { Authenticator } from "./auth/authenticator.ts";
import { authRoutes } from "./auth/routes.ts";
import type { ServiceClients } from "./clients.ts";
import { parseTrustedProxies } from "./edge/client-ip.ts";
import { accessLog, cors, ipRateLimit, refuseWhileDraining, securityHeaders } from "./edge/edge.ts";
import { GatewayMetrics } from "./edge/metrics.ts";
import { RateLimiter } from "./edge/rate-limiter.ts";
import { mountRestRoutes } from "./http/rest.ts";
import { mountOpenAiProxy } from "./inference/openai-proxy.ts";
import { InferencePool } from "./inference/pool.ts";
import { llmRoutes } from "./llm/routes.ts";
import { openApiDocument, openApiPage } from "./openapi/document.ts";
import { gatewayRouter } from "./router.ts";
import { statusPage } from "./status-page.ts";

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
  const pool = new InferencePool(
    env.INFERENCE_URLS ? list(env.INFERENCE_URLS) : [env.INFERENCE_URL],
    {
      logger,
      healthIntervalMs: env.INFERENCE_HEALTH_INTERVAL_MS,
    },
  );
  metrics.replicas = () => pool.snapshot();
  const state = { inFlight: 0, draining: false };
  const userLimiter = new RateLimiter(env.RATE_LIMIT_USER_PER_MINUTE);
  const tokenLimiter = new RateLimiter(env.CHAT_TOKENS_PER_MINUTE);

  let status: { value: TInferenceStatus | null; at: number } = { value: null, at: 0 };
  const inferenceStatus = async (): Promise<TInferenceStatus | null> => {
    if (Date.now() - status.at < STATUS_CACHE_MS) return status.value;
    const value = await services.inference.status.query().catch(() => null);
    status = { value, at: Date.now() };
    return value;
  };

  const limitUser = (userId: string) => {
    const verdict = userLimiter.take(userId);
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

  const routes = [
    ...authRoutes({ services, urls: env, authenticator, trustedProxies: trusted, logger }),
    ...llmRoutes({
      services,
      urls: env,
      turn: {
        services,
        pool,
        logger,
        maxTokens: env.CHAT_MAX_TOKENS,
        contextChars: env.CHAT_CONTEXT_CHARS,
        inferenceStatus,
        chargeTokens: (userId, tokens) => tokenLimiter.charge(userId, tokens),
      },
      turnLimiter: new RateLimiter(env.CHAT_TURNS_PER_MINUTE),
      tokenLimiter,
      maxStreams: env.GATEWAY_MAX_STREAMS,
      streams: state,
      onRateLimited: (limit) => metrics.rateLimited(limit),
    }),
  ];
  const document = openApiDocument(routes.map((r) => r.doc));
  const docsPage = openApiPage(document);

  const inner = createServiceApp({
    logger,
    health: deps.health,
    devErrors: env.DOGI_DEV_ERRORS,
    router: gatewayRouter,
    createContext: (base) => ({ ...base, services, urls: env, authenticator }),
    routes: (app) => {
      app.get("/", async (_req, res) => {
        res.type("html").send(statusPage(await deps.health.readiness()));
      });
      app.get("/v1/openapi.json", (_req, res) => {
        res.json(document);
      });
      app.get("/v1/docs", (_req, res) => {
        res.type("html").send(docsPage);
      });
      app.get("/metrics", (_req, res) => {
        res.type("text/plain; version=0.0.4").send(metrics.render());
      });
      mountOpenAiProxy(app, {
        pool,
        authenticator,
        userLimiter,
        bodyLimit: env.GATEWAY_OPENAI_BODY_LIMIT,
        onRateLimited: (limit) => metrics.rateLimited(limit),
      });
      mountRestRoutes(app, routes, {
        authenticator,
        bodyLimit: env.GATEWAY_BODY_LIMIT,
        limitUser: (caller) => limitUser(caller.userId),
      });
    },
  });

  const app = express();
  app.disable("x-powered-by");
  app.use(accessLog(logger, metrics));
  app.use(refuseWhileDraining(state));
  app.use(securityHeaders());
  app.use(cors(list(env.CORS_ORIGINS)));
  app.use(
    ipRateLimit({ limiter: new RateLimiter(env.RATE_LIMIT_IP_PER_MINUTE), trusted, metrics }),
  );
  app.use(inner);

  return { app, pool, state, metrics };
}
