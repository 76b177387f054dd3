import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import { ragRouter } from "./router.ts";

export interface RagAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
}

/** The rag service's HTTP app: /healthz, /readyz and /trpc. */
export function createRagApp(deps: RagAppDeps) {
  return createServiceApp({ ...deps, router: ragRouter, createContext: (base) => base });
}
