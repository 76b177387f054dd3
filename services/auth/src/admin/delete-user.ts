import type { TAuditClient, TDeleteAccountResponse } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { LastAdminError, userDataStores } from "../store/interface.ts";
import type { Actor } from "./actor.ts";
import { auditEntry, lastAdminRefusal } from "./actor.ts";

/**
 * Deletes a user for an admin, by the same durable path as a user deleting their own account
 * (rows and tombstone in one transaction; the gateway then finishes the other services), with
 * the audit entry in that transaction too. An admin deletes their own account in their settings.
 */
export async function deleteUser(
  deps: Pick<AuthDeps, "store" | "now" | "logger" | "accessTokens">,
  options: { actor: Actor & { kind: "admin" }; userId: string; client: TAuditClient },
): Promise<TDeleteAccountResponse> {
  const { actor, userId } = options;
  if (actor.user.userId === userId)
    throw new AppError(
      "CONFLICT",
      "You cannot delete your own account from the admin area; delete it in your account settings.",
    );
  const target = await deps.store.findUserById(userId);
  if (!target) throw new AppError("NOT_FOUND", "There is no user with that id.");
  let deleted;
  try {
    deleted = await deps.store.deleteUser(userId, {
      pending: userDataStores,
      now: deps.now(),
      keepAnAdmin: true,
      audit: auditEntry(deps, {
        actor,
        action: "user.delete",
        target: userId,
        detail: { email: target.email },
        client: options.client,
      }),
    });
  } catch (error) {
    if (error instanceof LastAdminError) throw lastAdminRefusal(target.email);
    throw error;
  }
  deps.accessTokens.invalidateUser(userId);
  if (!deleted) throw new AppError("NOT_FOUND", "There is no user with that id.");
  deps.logger.info({ userId, deleted, by: actor.user.userId }, "account deleted by an admin");
  return {
    userId: userId as TDeleteAccountResponse["userId"],
    deleted,
    alsoDeleteIn: [...userDataStores],
  };
}
