import type { TAuditClient, TRole } from "@dogi/contracts";
import type { AuthDeps } from "../deps.ts";
import type { UserRecord } from "../store/interface.ts";
import type { Actor } from "./actor.ts";
import { changeUser } from "./actor.ts";

/**
 * Gives a user a role, for an admin or the host, with its audit entry in the same transaction.
 * Refuses to demote the last enabled admin (an admin may demote themselves otherwise).
 */
export async function setRole(
  deps: Pick<AuthDeps, "store" | "now" | "logger">,
  options: { actor: Actor; userId: string; role: TRole; client?: TAuditClient },
): Promise<{ user: UserRecord; changed: boolean }> {
  const { actor, userId, role } = options;
  const result = await changeUser(
    deps,
    {
      actor,
      userId,
      action: role === "admin" ? "role.grant" : "role.revoke",
      detail: { role },
      ...(options.client ? { client: options.client } : {}),
    },
    (audit) => deps.store.setRole({ userId, role, now: deps.now(), audit }),
  );
  if (result.changed) deps.logger.info({ userId, role, by: actor.kind }, "role changed");
  return result;
}
