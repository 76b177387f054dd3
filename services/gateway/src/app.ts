import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import type { ServiceClients } from "./clients.ts";
import { gatewayRouter } from "./router.ts";
import { statusPage } from "./status-page.ts";

export interface GatewayAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
  services: ServiceClients;
}

/** The public edge: /healthz, /readyz, /trpc and, at /, the page people open. */
export function createGatewayApp(deps: GatewayAppDeps) {
  return createServiceApp({
    logger: deps.logger,
    health: deps.health,
    devErrors: deps.devErrors,
    router: gatewayRouter,
    createContext: (base) => ({ ...base, services: deps.services }),
    routes: (app) => {
      app.get("/", async (_req, res) => {
        res.type("html").send(statusPage(await deps.health.readiness()));
      });
    },
  });
}
