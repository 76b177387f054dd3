import { toOpenAiError } from "@dogi/contracts";
import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter, InternalAuthSettings } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import type { InferenceEngine } from "./engine/engine.ts";
import type { ModelPulls } from "./engine/model-pulls.ts";
import type { InferenceMetrics } from "./metrics.ts";
import { mountOpenAiRoutes } from "./openai/routes.ts";
import { inferenceRouter } from "./router.ts";
import type { UpstreamConfig } from "./upstream.ts";

export interface InferenceAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
  engine: InferenceEngine;
  /** Model downloads started from the operator console. */
  pulls: ModelPulls;
  metrics: InferenceMetrics;
  upstream: UpstreamConfig | undefined;
  requestTimeoutMs: number;
  internalAuth: InternalAuthSettings;
  /** OpenAI's /v1 and /metrics need no service credential (INFERENCE_PUBLIC). */
  publicRoutes: boolean;
}

/** The inference service's HTTP app: /healthz, /readyz, /trpc, OpenAI's /v1 and /metrics. */
export function createInferenceApp(deps: InferenceAppDeps) {
  return createServiceApp({
    logger: deps.logger,
    health: deps.health,
    devErrors: deps.devErrors,
    router: inferenceRouter,
    // Inference calls no other service, and the request-id AsyncLocalStorage would put a hook on
    // every promise of the token loop (see propagateRequestId).
    propagateRequestId: false,
    access: {
      kind: "internal",
      service: "inference",
      ...deps.internalAuth,
      // The gateway's OpenAI door and chat turns; rag when it embeds with the local model.
      ...(deps.publicRoutes ? {} : { routeRights: { gateway: "*", rag: ["/v1/embeddings"] } }),
      refuseRoute: (res, code, message) => {
        res.status(code === "UNAUTHENTICATED" ? 401 : 403).json(toOpenAiError({ code, message }));
      },
    },
    createContext: (base) => ({ ...base, engine: deps.engine, pulls: deps.pulls }),
    routes: (app) => mountOpenAiRoutes(app, deps),
  });
}
