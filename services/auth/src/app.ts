import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import { authRouter } from "./router.ts";

export interface AuthAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
}

/** The auth service's HTTP app: /healthz, /readyz and /trpc. */
export function createAuthApp(deps: AuthAppDeps) {
  return createServiceApp({ ...deps, router: authRouter, createContext: (base) => base });
}
