import type { BaseContext } from "@dogi/trpc";
import type { AdminDeps } from "./admin/deps.ts";
import type { Authenticator } from "./auth/authenticator.ts";
import type { ServiceClients } from "./clients.ts";
import type { AskDeps } from "./rpc/ask.ts";

/** The gateway's procedures reach the other services only through these typed clients. */
export interface GatewayContext extends BaseContext {
  services: ServiceClients;
  authenticator: Authenticator;
  /** The chat turn's code, limits and stream count, shared with the REST turn. */
  chat: AskDeps;
  /** The operator console's use cases (the admin procedures). */
  admin: AdminDeps;
  /** Charges one call to the user's per-minute limit; throws RATE_LIMITED when it is spent. */
  limitUser: (userId: string) => void | Promise<void>;
}
