import type { TVerifiedAccessToken } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";

const refused = () =>
  new AppError("UNAUTHENTICATED", "The access token is not valid; sign in again.");

/** For the gateway: who holds this access token, and their role now. */
export async function verifyAccessToken(
  deps: Pick<AuthDeps, "accessTokens" | "store">,
  token: string,
): Promise<TVerifiedAccessToken> {
  const verified = await deps.accessTokens.verify(token);
  if (!verified) throw refused();
  // The token carries no role: one granted or taken since it was issued counts at once.
  const user = await deps.store.findUserById(verified.userId);
  if (!user || user.disabled) throw refused();
  return {
    userId: verified.userId as TVerifiedAccessToken["userId"],
    expiresAt: verified.expiresAt.toISOString(),
    role: user.role,
  };
}
