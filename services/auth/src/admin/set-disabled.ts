import type { TAuditClient } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import type { UserRecord } from "../store/interface.ts";
import type { Actor } from "./actor.ts";
import { auditEntry, lastAdminRefusal } from "./actor.ts";

/**
 * Disables or enables a user, with its audit entry. Disabling stops the user's access tokens at
 * once in this process (elsewhere within the token-version cache time), revokes their refresh
 * tokens and pauses their API keys; enabling lets the keys work again, but old sign-ins stay
 * ended. An admin may not disable themselves, nor anyone the last enabled admin.
 */
export async function setDisabled(
  deps: Pick<AuthDeps, "store" | "now" | "logger" | "accessTokens">,
  options: { actor: Actor; userId: string; disabled: boolean; client?: TAuditClient },
): Promise<UserRecord> {
  const { actor, userId, disabled } = options;
  if (disabled && actor.kind === "admin" && actor.user.userId === userId)
    throw new AppError(
      "CONFLICT",
      "You cannot disable your own account; another admin can, if it must be.",
    );
  const target = await deps.store.findUserById(userId);
  if (!target) throw new AppError("NOT_FOUND", "There is no user with that id.");
  const change = await deps.store.setDisabled({
    userId,
    disabled,
    now: deps.now(),
    audit: auditEntry(deps, {
      actor,
      action: disabled ? "user.disable" : "user.enable",
      target: userId,
      detail: { email: target.email },
      ...(options.client ? { client: options.client } : {}),
    }),
  });
  switch (change.outcome) {
    case "not_found":
      throw new AppError("NOT_FOUND", "There is no user with that id.");
    case "last_admin":
      throw lastAdminRefusal(change.user.email);
    case "unchanged":
      return change.user;
    case "changed":
      deps.accessTokens.invalidateUser(userId);
      deps.logger.info({ userId, disabled, by: actor.kind }, "account disabled or enabled");
      return change.user;
  }
}
