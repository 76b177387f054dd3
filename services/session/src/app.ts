import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter, InternalAuthSettings } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import type { SessionDeps } from "./deps.ts";
import { sessionRouter } from "./router.ts";

export interface SessionAppDeps extends SessionDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
  internalAuth: InternalAuthSettings;
}

/** The session service's HTTP app: /healthz, /readyz and /trpc. */
export function createSessionApp(deps: SessionAppDeps) {
  const { store, now, limits } = deps;
  return createServiceApp({
    logger: deps.logger,
    health: deps.health,
    devErrors: deps.devErrors,
    router: sessionRouter,
    access: { kind: "internal", service: "session", ...deps.internalAuth },
    createContext: (base) => ({ ...base, store, now, limits }),
  });
}
