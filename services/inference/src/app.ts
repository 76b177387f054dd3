import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import { inferenceRouter } from "./router.ts";

export interface InferenceAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
}

/** The inference service's HTTP app: /healthz, /readyz and /trpc. */
export function createInferenceApp(deps: InferenceAppDeps) {
  return createServiceApp({ ...deps, router: inferenceRouter, createContext: (base) => base });
}
