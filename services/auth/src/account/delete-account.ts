import type { TDeleteAccountRequest, TDeleteAccountResponse } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { userDataStores } from "../store/interface.ts";
import { confirmPassword } from "./confirm-password.ts";

/**
 * Deletes the account after checking the password: profile, pets, refresh tokens and API keys go
 * with it, and its access tokens stop working. Its tombstone, written in the same transaction,
 * names what the other services must still delete; the gateway has them do it and marks each
 * done (deletions.*). The password is throttled as at sign-in.
 */
export async function deleteAccount(
  deps: AuthDeps,
  options: { userId: string; input: TDeleteAccountRequest },
): Promise<TDeleteAccountResponse> {
  const user = await deps.store.findUserById(options.userId);
  if (!user) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
  const { password, clientIp } = options.input;
  await confirmPassword(deps, { user, password, clientIp, field: "password" });
  const deleted = await deps.store.deleteUser(user.userId, {
    pending: userDataStores,
    now: deps.now(),
  });
  deps.accessTokens.invalidateUser(user.userId);
  if (!deleted) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
  deps.logger.info({ userId: user.userId, deleted }, "account deleted");
  return {
    userId: user.userId as TDeleteAccountResponse["userId"],
    deleted,
    alsoDeleteIn: [...userDataStores],
  };
}
