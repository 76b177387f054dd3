import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import type { UserRecord } from "../store/interface.ts";
import { rateLimited } from "../throttle/refuse.ts";

/**
 * Checks a signed-in user's password before an action a stolen access token must not be able to
 * take (changing the password, deleting the account, creating an API key): throttled as at
 * sign-in, so the token cannot be used to guess it either. `field` names the input in the error.
 */
export async function confirmPassword(
  deps: AuthDeps,
  options: { user: UserRecord; password: string; clientIp: string | undefined; field: string },
): Promise<void> {
  const { user, password, clientIp, field } = options;
  const retryAfter = deps.throttle.retryAfterSeconds(user.email, clientIp);
  if (retryAfter > 0) throw rateLimited(retryAfter, "password");
  const { ok } = await deps.hasher.verify(user.passwordHash, password);
  if (!ok) {
    deps.throttle.recordFailure(user.email, clientIp);
    throw new AppError(
      "FORBIDDEN",
      field === "password"
        ? "The password is not correct."
        : "The current password is not correct.",
      { issues: [{ path: field, message: "is not correct" }] },
    );
  }
  deps.throttle.recordSuccess(user.email, clientIp);
}
