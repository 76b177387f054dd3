import type { TAuditClient, TRole } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import type { UserRecord } from "../store/interface.ts";
import type { Actor } from "./actor.ts";
import { auditEntry, lastAdminRefusal } from "./actor.ts";

/**
 * Gives a user a role, for an admin or the host, with its audit entry in the same transaction.
 * Refuses to demote the last enabled admin (an admin may demote themselves otherwise).
 */
export async function setRole(
  deps: Pick<AuthDeps, "store" | "now" | "logger">,
  options: { actor: Actor; userId: string; role: TRole; client?: TAuditClient },
): Promise<{ user: UserRecord; changed: boolean }> {
  const { actor, userId, role } = options;
  const target = await deps.store.findUserById(userId);
  if (!target) throw new AppError("NOT_FOUND", "There is no user with that id.");
  const change = await deps.store.setRole({
    userId,
    role,
    now: deps.now(),
    audit: auditEntry(deps, {
      actor,
      action: role === "admin" ? "role.grant" : "role.revoke",
      target: userId,
      detail: { email: target.email, role },
      ...(options.client ? { client: options.client } : {}),
    }),
  });
  switch (change.outcome) {
    case "not_found":
      throw new AppError("NOT_FOUND", "There is no user with that id.");
    case "last_admin":
      throw lastAdminRefusal(change.user.email);
    case "unchanged":
      return { user: change.user, changed: false };
    case "changed":
      deps.logger.info({ userId, role, by: actor.kind }, "role changed");
      return { user: change.user, changed: true };
  }
}
