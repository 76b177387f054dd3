import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter, InternalAuthSettings } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import type { SessionDeps } from "./deps.ts";
import { sessionRouter } from "./router.ts";

export interface SessionAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
  internalAuth: InternalAuthSettings;
  deps: SessionDeps;
}

/** The session service's HTTP app: /healthz, /readyz and /trpc. */
export function createSessionApp(options: SessionAppDeps) {
  const { deps, internalAuth, ...base } = options;
  const { store, now, limits } = deps;
  return createServiceApp({
    ...base,
    router: sessionRouter,
    access: { kind: "internal", service: "session", ...internalAuth },
    createContext: (context) => ({ ...context, store, now, limits }),
  });
}
