import type { TAuthEnv } from "@dogi/config";
import type { Logger } from "@dogi/logger";
import type { AuthDeps } from "./deps.ts";
import { createPasswordHasher } from "./passwords/hasher.ts";
import type { HashParams } from "./passwords/hasher.ts";
import { createLimiter } from "./passwords/limiter.ts";
import type { AuthStore } from "./store/interface.ts";
import { createLoginThrottle } from "./throttle/login-throttle.ts";
import { createSignUpThrottle } from "./throttle/signup-throttle.ts";
import { createAccessTokens } from "./tokens/access-token.ts";

/** The settings buildAuthDeps needs (the AUTH_* variables, or a test's choice). */
export interface AuthSettings {
  jwtSecret: string;
  /** How long an access token is good for, and a sign-in lasts (ACCESS_TOKEN_TTL_MINUTES, REFRESH_TOKEN_TTL_DAYS). */
  accessTokenTtlSeconds: number;
  refreshTokenTtlMs: number;
  hashConcurrency: number;
  /** Of those, how many sign-ups may hold at once (the rest stay free for sign-ins). */
  signUpHashConcurrency: number;
  hashQueueWaitMs: number;
  verifyCacheSize: number;
  tokenVersionCacheMs: number;
  /** Wrong passwords before delays start (per account and client; per account from unknown clients). */
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  failureWindowMs: number;
  loginBaseDelayMs: number;
  knownClientMs: number;
  signUpsPerClient: number;
  signUpWindowMs: number;
  hashParams?: HashParams;
  /** A clock for tests; Date.now by default. */
  nowMs?: () => number;
}

/** The settings of a running service, from its parsed environment. */
export function settingsFromEnv(env: TAuthEnv): AuthSettings {
  return {
    jwtSecret: env.JWT_SECRET,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_MINUTES * 60,
    refreshTokenTtlMs: env.REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60_000,
    hashConcurrency: env.AUTH_HASH_CONCURRENCY,
    // Half the slots by default: sign-ups never starve sign-ins, and still run in parallel.
    signUpHashConcurrency:
      env.AUTH_SIGNUP_HASH_CONCURRENCY ?? Math.max(1, Math.floor(env.AUTH_HASH_CONCURRENCY / 2)),
    hashQueueWaitMs: env.AUTH_HASH_QUEUE_WAIT_MS,
    verifyCacheSize: env.AUTH_VERIFY_CACHE_SIZE,
    tokenVersionCacheMs: env.AUTH_TOKEN_VERSION_CACHE_MS,
    maxFailuresPerAccount: env.AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerIp: env.AUTH_LOGIN_MAX_FAILURES_PER_IP,
    failureWindowMs: env.AUTH_LOGIN_FAILURE_WINDOW_MS,
    loginBaseDelayMs: env.AUTH_LOGIN_BASE_DELAY_MS,
    knownClientMs: env.AUTH_LOGIN_KNOWN_CLIENT_MS,
    signUpsPerClient: env.AUTH_SIGNUP_MAX_PER_CLIENT,
    signUpWindowMs: env.AUTH_SIGNUP_WINDOW_MS,
  };
}

/** Wires the use cases' dependencies around a store. */
export function buildAuthDeps(store: AuthStore, logger: Logger, settings: AuthSettings): AuthDeps {
  const nowMs = settings.nowMs ?? Date.now;
  return {
    store,
    logger,
    now: () => new Date(nowMs()),
    hasher: createPasswordHasher({
      limiter: createLimiter({
        concurrency: settings.hashConcurrency,
        maxWaitMs: settings.hashQueueWaitMs,
      }),
      signUpLimiter: createLimiter({
        concurrency: Math.min(settings.signUpHashConcurrency, settings.hashConcurrency),
        maxWaitMs: settings.hashQueueWaitMs,
      }),
      ...(settings.hashParams ? { params: settings.hashParams } : {}),
    }),
    accessTokens: createAccessTokens({
      secret: settings.jwtSecret,
      ttlSeconds: settings.accessTokenTtlSeconds,
      store,
      cacheSize: settings.verifyCacheSize,
      versionCacheMs: settings.tokenVersionCacheMs,
      now: nowMs,
    }),
    refreshTokenTtlMs: settings.refreshTokenTtlMs,
    throttle: createLoginThrottle({
      freeFailures: settings.maxFailuresPerAccount,
      maxFailuresPerIp: settings.maxFailuresPerIp,
      windowMs: settings.failureWindowMs,
      baseDelayMs: settings.loginBaseDelayMs,
      knownClientMs: settings.knownClientMs,
      now: nowMs,
    }),
    signUpThrottle: createSignUpThrottle({
      maxPerClient: settings.signUpsPerClient,
      windowMs: settings.signUpWindowMs,
      now: nowMs,
    }),
  };
}
