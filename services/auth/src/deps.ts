import type { Logger } from "@dogi/logger";
import type { PasswordHasher } from "./passwords/hasher.ts";
import type { AuthStore } from "./store/interface.ts";
import type { LoginThrottle } from "./throttle/login-throttle.ts";
import type { SignUpThrottle } from "./throttle/signup-throttle.ts";
import type { AccessTokens } from "./tokens/access-token.ts";

/** Everything the use cases need, built once per process (main.ts) or per test. */
export interface AuthDeps {
  store: AuthStore;
  hasher: PasswordHasher;
  accessTokens: AccessTokens;
  /** How long a new sign-in's refresh tokens last (REFRESH_TOKEN_TTL_DAYS). */
  refreshTokenTtlMs: number;
  /** Wrong passwords, at sign-in and wherever a password is checked again. */
  throttle: LoginThrottle;
  signUpThrottle: SignUpThrottle;
  logger: Logger;
  now: () => Date;
}
