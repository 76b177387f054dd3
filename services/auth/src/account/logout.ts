import type { TLogoutRequest, TOk } from "@dogi/contracts";
import type { AuthDeps } from "../deps.ts";
import { secretHash } from "../tokens/refresh-token.ts";

/** Ends one sign-in: revokes the refresh token's family if it belongs to the caller. Idempotent. */
export async function logout(
  deps: AuthDeps,
  options: { userId: string; input: TLogoutRequest },
): Promise<TOk> {
  const token = await deps.store.findRefreshToken(secretHash(options.input.refreshToken));
  if (token && token.userId === options.userId)
    await deps.store.revokeRefreshFamily(token.familyId, deps.now());
  return { ok: true };
}

/**
 * Ends every sign-in of the user: all refresh tokens, every access token already issued, and
 * every API key (one made with a stolen token must end with it).
 */
export async function logoutAll(deps: AuthDeps, options: { userId: string }): Promise<TOk> {
  const now = deps.now();
  await deps.store.bumpTokenVersion(options.userId, now);
  deps.accessTokens.invalidateUser(options.userId);
  await deps.store.revokeAllRefreshTokens(options.userId, now);
  await deps.store.revokeAllApiKeys(options.userId, now);
  return { ok: true };
}
