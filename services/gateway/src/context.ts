import type { BaseContext } from "@dogi/trpc";
import type { Authenticator } from "./auth/authenticator.ts";
import type { ServiceClients } from "./clients.ts";

/** The gateway's procedures reach the other services only through these typed clients. */
export interface GatewayContext extends BaseContext {
  services: ServiceClients;
  authenticator: Authenticator;
}
