import type { TTokenPair } from "@dogi/contracts";
import type { AuthDeps } from "../deps.ts";
import { newRefreshToken } from "../tokens/refresh-token.ts";

/** Starts a new sign-in (a new refresh-token family) for the user and returns both tokens. */
export async function issueTokens(
  deps: Pick<AuthDeps, "store" | "accessTokens" | "refreshTokenTtlMs" | "now">,
  user: { userId: string; tokenVersion: number },
): Promise<TTokenPair> {
  const now = deps.now();
  const refresh = newRefreshToken({ userId: user.userId, now, ttlMs: deps.refreshTokenTtlMs });
  await deps.store.insertRefreshToken(refresh.record);
  const access = await deps.accessTokens.issue(user);
  return {
    tokenType: "Bearer",
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.record.expiresAt.toISOString(),
  };
}
