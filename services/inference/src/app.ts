import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import type { InferenceEngine } from "./engine/engine.ts";
import type { InferenceMetrics } from "./metrics.ts";
import { mountOpenAiRoutes } from "./openai/routes.ts";
import { inferenceRouter } from "./router.ts";
import type { UpstreamConfig } from "./upstream.ts";

export interface InferenceAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
  engine: InferenceEngine;
  metrics: InferenceMetrics;
  upstream: UpstreamConfig | undefined;
  requestTimeoutMs: number;
}

/** The inference service's HTTP app: /healthz, /readyz, /trpc, OpenAI's /v1 and /metrics. */
export function createInferenceApp(deps: InferenceAppDeps) {
  return createServiceApp({
    logger: deps.logger,
    health: deps.health,
    devErrors: deps.devErrors,
    router: inferenceRouter,
    createContext: (base) => ({ ...base, engine: deps.engine }),
    routes: (app) => mountOpenAiRoutes(app, deps),
  });
}
