import type { TRefreshRequest, TTokenPair } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { newRefreshToken, secretHash } from "../tokens/refresh-token.ts";

const refused = () =>
  new AppError("UNAUTHENTICATED", "This refresh token is not valid any more; sign in again.");

/**
 * Trades a refresh token for a new pair, rotating it. A token that was already rotated means it
 * leaked (or two refreshes raced): the whole family is revoked and a warning logged. Clients must
 * therefore send one refresh at a time.
 */
export async function refresh(deps: AuthDeps, input: TRefreshRequest): Promise<TTokenPair> {
  const now = deps.now();
  const current = await deps.store.findRefreshToken(secretHash(input.refreshToken));
  if (!current) throw refused();

  const revokeFamily = async (why: string) => {
    const revoked = await deps.store.revokeRefreshFamily(current.familyId, now);
    deps.logger.warn(
      { userId: current.userId, familyId: current.familyId, revoked },
      `refresh token reuse (${why}): family revoked`,
    );
  };

  if (current.revokedAt !== null) {
    if (current.replacedBy !== null) await revokeFamily("already rotated");
    throw refused();
  }
  if (current.expiresAt.getTime() <= now.getTime()) throw refused();

  const user = await deps.store.findUserById(current.userId);
  if (!user || user.disabled) throw refused();

  const next = newRefreshToken({
    userId: user.userId,
    now,
    family: { familyId: current.familyId, expiresAt: current.expiresAt },
  });
  if (!(await deps.store.rotateRefreshToken(current.tokenId, next.record, now))) {
    // Another request rotated it between our read and our update.
    await revokeFamily("concurrent use");
    throw refused();
  }
  const access = await deps.accessTokens.issue(user);
  return {
    tokenType: "Bearer",
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    refreshToken: next.token,
    refreshTokenExpiresAt: next.record.expiresAt.toISOString(),
  };
}
