import type { TChangePasswordRequest, TTokenPair } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { isCommonPassword } from "../passwords/common.ts";
import { confirmPassword } from "./confirm-password.ts";
import { issueTokens } from "./issue-tokens.ts";

/**
 * Changes the password after checking the current one. Every other sign-in ends (refresh tokens
 * and API keys revoked, access tokens invalid by the new token version); the caller gets a fresh pair. The
 * current password is throttled as at sign-in, so a stolen access token cannot be used to guess it.
 */
export async function changePassword(
  deps: AuthDeps,
  options: { userId: string; input: TChangePasswordRequest },
): Promise<TTokenPair> {
  const { currentPassword, newPassword, clientIp } = options.input;
  const user = await deps.store.findUserById(options.userId);
  if (!user) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
  await confirmPassword(deps, {
    user,
    password: currentPassword,
    clientIp,
    field: "currentPassword",
  });
  if (isCommonPassword(newPassword))
    throw new AppError("VALIDATION_FAILED", "Choose another password: this one is too common.", {
      issues: [{ path: "newPassword", message: "is one of the 10,000 most common passwords" }],
    });

  const newHash = await deps.hasher.hash(newPassword);
  const now = deps.now();
  const changed = await deps.store.replacePasswordHash({
    userId: user.userId,
    expectedHash: user.passwordHash,
    newHash,
    bumpTokenVersion: true,
    now,
  });
  if (!changed)
    throw new AppError("CONFLICT", "The password was changed meanwhile; sign in again and retry.");
  deps.accessTokens.invalidateUser(user.userId);
  await deps.store.revokeAllRefreshTokens(user.userId, now);
  // A key made with a stolen token must not outlive the password the owner changed to lock it out.
  await deps.store.revokeAllApiKeys(user.userId, now);
  return issueTokens(deps, { userId: user.userId, tokenVersion: user.tokenVersion + 1 });
}
