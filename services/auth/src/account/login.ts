import type { TAuthResponse, TLoginRequest } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { rateLimited } from "../throttle/refuse.ts";
import { issueTokens } from "./issue-tokens.ts";
import { userView } from "./views.ts";

// One answer for an unknown email and a wrong password, so neither can be told apart.
const wrongCredentials = () =>
  new AppError("UNAUTHENTICATED", "The email or password is not correct.");

/**
 * Signs in. Throttled (see LoginThrottle) before any hashing; an unknown email still costs one
 * argon2id verification (of a dummy hash), so timing does not reveal accounts.
 */
export async function login(deps: AuthDeps, input: TLoginRequest): Promise<TAuthResponse> {
  const { email, password, clientIp } = input;
  const retryAfter = deps.throttle.retryAfterSeconds(email, clientIp);
  if (retryAfter > 0) throw rateLimited(retryAfter, "sign-in");

  const user = await deps.store.findUserByEmail(email);
  if (!user) {
    await deps.hasher.verifyDummy(password);
    deps.throttle.recordFailure(email, clientIp);
    throw wrongCredentials();
  }
  const { ok, needsRehash } = await deps.hasher.verify(user.passwordHash, password);
  if (!ok) {
    deps.throttle.recordFailure(email, clientIp);
    deps.logger.info({ userId: user.userId }, "sign-in failed");
    throw wrongCredentials();
  }
  deps.throttle.recordSuccess(email, clientIp);
  // Said only to someone who knows the password, who would otherwise retry it in vain.
  if (user.disabled)
    throw new AppError(
      "FORBIDDEN",
      "This account is disabled. Ask the operator of this Dogi to enable it again.",
    );

  if (needsRehash) {
    // Upgrade a hash made with weaker parameters while the password is at hand.
    const newHash = await deps.hasher.hash(password);
    await deps.store.replacePasswordHash({
      userId: user.userId,
      expectedHash: user.passwordHash,
      newHash,
      bumpTokenVersion: false,
      now: deps.now(),
    });
    deps.logger.info({ userId: user.userId }, "password hash upgraded");
  }
  await deps.store.recordSignIn(user.userId, deps.now());
  const profile = await deps.store.getProfile(user.userId);
  return { user: userView(user, profile), tokens: await issueTokens(deps, user) };
}
