import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import { sessionRouter } from "./router.ts";

export interface SessionAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
}

/** The session service's HTTP app: /healthz, /readyz and /trpc. */
export function createSessionApp(deps: SessionAppDeps) {
  return createServiceApp({ ...deps, router: sessionRouter, createContext: (base) => base });
}
