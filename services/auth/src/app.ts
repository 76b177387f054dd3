import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import type { AuthDeps } from "./deps.ts";
import { authRouter } from "./router.ts";

export interface AuthAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
  deps: AuthDeps;
}

/** The auth service's HTTP app: /healthz, /readyz and /trpc. */
export function createAuthApp(options: AuthAppDeps) {
  const { deps, ...base } = options;
  return createServiceApp({
    ...base,
    router: authRouter,
    createContext: (ctx) => ({ ...ctx, deps: { ...deps, logger: ctx.logger } }),
  });
}
