import type { TAuditClient } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import type { UserRecord } from "../store/interface.ts";
import type { Actor } from "./actor.ts";
import { changeUser } from "./actor.ts";

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
  const { user, changed } = await changeUser(
    deps,
    {
      actor,
      userId,
      action: disabled ? "user.disable" : "user.enable",
      detail: {},
      ...(options.client ? { client: options.client } : {}),
    },
    (audit) => deps.store.setDisabled({ userId, disabled, now: deps.now(), audit }),
  );
  if (changed) {
    deps.accessTokens.invalidateUser(userId);
    deps.logger.info({ userId, disabled, by: actor.kind }, "account disabled or enabled");
  }
  return user;
}
