import type { TProfile, TUpdateProfileRequest, TUser } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { profileView, userView } from "./views.ts";

const gone = () => new AppError("UNAUTHENTICATED", "This account no longer exists.");

/** The signed-in user's account and profile. */
export async function me(deps: AuthDeps, options: { userId: string }): Promise<TUser> {
  const user = await deps.store.findUserById(options.userId);
  if (!user) throw gone();
  return userView(user, await deps.store.getProfile(user.userId));
}

/** Changes the given profile fields; null clears a field. */
export async function updateProfile(
  deps: AuthDeps,
  options: { userId: string; input: TUpdateProfileRequest },
): Promise<TProfile> {
  const patch = Object.fromEntries(
    Object.entries(options.input).filter(([, value]) => value !== undefined),
  );
  const profile = await deps.store.updateProfile(options.userId, patch, deps.now());
  if (!profile) throw gone();
  return profileView(profile);
}
