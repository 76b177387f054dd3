import { randomUUID } from "node:crypto";
import type { TAuthResponse, TRegisterRequest } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { isCommonPassword } from "../passwords/common.ts";
import { EmailTakenError } from "../store/interface.ts";
import type { UserRecord } from "../store/interface.ts";
import { rateLimited } from "../throttle/refuse.ts";
import { issueTokens } from "./issue-tokens.ts";
import { userView } from "./views.ts";

/**
 * Creates an account (email normalized by the schema) and signs it in. Limited per client, and
 * hashed within the sign-up share of the hashing slots, so sign-ups cannot crowd out sign-ins.
 */
export async function register(deps: AuthDeps, input: TRegisterRequest): Promise<TAuthResponse> {
  if (isCommonPassword(input.password)) {
    throw new AppError("VALIDATION_FAILED", "Choose another password: this one is too common.", {
      issues: [{ path: "password", message: "is one of the 10,000 most common passwords" }],
    });
  }
  // Counted before hashing: an attempt that costs a hash counts, whatever its outcome.
  const retryAfter = deps.signUpThrottle.take(input.clientIp);
  if (retryAfter > 0) throw rateLimited(retryAfter, "sign-up");
  const passwordHash = await deps.hasher.hashForSignUp(input.password);
  const now = deps.now();
  const user: UserRecord = {
    userId: randomUUID(),
    email: input.email,
    passwordHash,
    tokenVersion: 0,
    disabled: false,
    // Admins are made by the host (`pnpm dogi admin grant`) or by another admin, never at sign-up.
    role: "user",
    // Signing up signs in.
    lastSignInAt: now,
    createdAt: now,
    updatedAt: now,
  };
  const profile = {
    fullName: input.fullName ?? null,
    phone: null,
    birthDate: null,
    locale: input.locale ?? "ko",
  };
  try {
    await deps.store.createUser(user, profile);
  } catch (error) {
    if (error instanceof EmailTakenError)
      throw new AppError("CONFLICT", "That email is already registered; sign in instead.");
    throw error;
  }
  // The client that created the account is one of its owner's.
  deps.throttle.recordSuccess(input.email, input.clientIp);
  return { user: userView(user, profile), tokens: await issueTokens(deps, user) };
}
