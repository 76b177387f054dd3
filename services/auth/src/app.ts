import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter, InternalAuthSettings } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import type { AuthDeps } from "./deps.ts";
import { authRouter } from "./router.ts";

export interface AuthAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
  internalAuth: InternalAuthSettings;
  deps: AuthDeps;
}

/** The auth service's HTTP app: /healthz, /readyz and /trpc. */
export function createAuthApp(options: AuthAppDeps) {
  const { deps, internalAuth, ...base } = options;
  return createServiceApp({
    ...base,
    router: authRouter,
    access: { kind: "internal", service: "auth", ...internalAuth },
    createContext: (ctx) => ({ ...ctx, deps: { ...deps, logger: ctx.logger } }),
  });
}
