import type { Logger } from "@dogi/logger";
import type { AuthDeps } from "./deps.ts";
import { createPasswordHasher } from "./passwords/hasher.ts";
import type { HashParams } from "./passwords/hasher.ts";
import { createLimiter } from "./passwords/limiter.ts";
import type { AuthStore } from "./store/interface.ts";
import { createLoginThrottle } from "./throttle/login-throttle.ts";
import { createAccessTokens } from "./tokens/access-token.ts";

/** The settings buildAuthDeps needs (the AUTH_* variables, or a test's choice). */
export interface AuthSettings {
  jwtSecret: string;
  hashConcurrency: number;
  hashQueueWaitMs: number;
  verifyCacheSize: number;
  tokenVersionCacheMs: number;
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  failureWindowMs: number;
  hashParams?: HashParams;
  /** A clock for tests; Date.now by default. */
  nowMs?: () => number;
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
      ...(settings.hashParams ? { params: settings.hashParams } : {}),
    }),
    accessTokens: createAccessTokens({
      secret: settings.jwtSecret,
      store,
      cacheSize: settings.verifyCacheSize,
      versionCacheMs: settings.tokenVersionCacheMs,
      now: nowMs,
    }),
    throttle: createLoginThrottle({
      maxFailuresPerAccount: settings.maxFailuresPerAccount,
      maxFailuresPerIp: settings.maxFailuresPerIp,
      windowMs: settings.failureWindowMs,
      now: nowMs,
    }),
  };
}
