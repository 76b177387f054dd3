import type { IncomingMessage } from "node:http";
import type net from "node:net";
import type { TAuditClient, TAuthAdminUser, TUserId } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { Caller } from "../auth/authenticator.ts";
import { asUser } from "../clients.ts";
import type { ServiceClients } from "../clients.ts";
import { clientIpField } from "../edge/client-ip.ts";

/**
 * The caller as an admin, or FORBIDDEN. Auth reads the role from its store on every call, so an
 * admin whose role is revoked loses the admin area at once, on every replica, with no cache to
 * wait out; admin traffic is small enough to pay one internal call per request for that.
 */
export async function requireAdmin(
  services: Pick<ServiceClients, "auth">,
  caller: Pick<Caller, "userId" | "token" | "kind">,
): Promise<TAuthAdminUser> {
  if (caller.kind !== "user")
    throw new AppError("FORBIDDEN", "The admin area needs a signed-in admin, not an API key.");
  return services.auth.admin.users.get.query(
    { userId: caller.userId as TUserId },
    asUser(caller.token),
  );
}

const MAX_USER_AGENT = 500;

/** Where an admin action came from, for the audit log: the client's address and user agent. */
export function auditClient(req: IncomingMessage, trustedProxies: net.BlockList): TAuditClient {
  const agent = req.headers["user-agent"];
  return {
    ip: clientIpField(req, trustedProxies).clientIp ?? null,
    userAgent: typeof agent === "string" && agent !== "" ? agent.slice(0, MAX_USER_AGENT) : null,
  };
}
