import type net from "node:net";
import type { TAuditClient } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { Revocations } from "../auth/revocations.ts";
import type { ServiceClients } from "../clients.ts";

/** What the operator console's use cases need. */
export interface AdminDeps {
  services: ServiceClients;
  /** Told when a user is disabled or deleted, to forget their credentials on every replica. */
  authenticator: Revocations;
  trustedProxies: net.BlockList;
  logger: Logger;
  /** GATEWAY_DELETION_RETRY_MS, for the first attempt at a deleted account's data. */
  deletionRetryMs: number;
}

/** The admin acting: their access token (auth checks it and the role again) and where from. */
export interface AdminActor {
  token: string;
  client: TAuditClient;
}
