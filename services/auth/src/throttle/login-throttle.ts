import { createBoundedCache } from "../tokens/bounded-cache.ts";

/** Counts failed sign-ins per account and per client address, in fixed windows. */
export interface LoginThrottle {
  /** Seconds until a sign-in may be tried again, or 0 when it may be tried now. */
  retryAfterSeconds(account: string, clientIp: string | undefined): number;
  recordFailure(account: string, clientIp: string | undefined): void;
  /** A successful sign-in clears its account's count (the address's count stays). */
  recordSuccess(account: string): void;
}

export interface LoginThrottleOptions {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowMs: number;
  /** Counters kept at most (oldest dropped), so a flood of made-up emails cannot exhaust memory. */
  maxEntries?: number;
  now?: () => number;
}

interface Window {
  failures: number;
  startedAt: number;
}

/**
 * In-memory throttle. A blocked key unblocks when its window ends, so an owner is never locked out
 * for good: at worst they wait `windowMs`. Counts are per process; several auth replicas each keep
 * their own (the limits then apply per replica).
 */
export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const now = options.now ?? Date.now;
  const windows = createBoundedCache<string, Window>(options.maxEntries ?? 100_000);

  const live = (key: string): Window | undefined => {
    const window = windows.get(key);
    if (window && now() - window.startedAt >= options.windowMs) {
      windows.delete(key);
      return undefined;
    }
    return window;
  };
  const wait = (key: string, max: number): number => {
    const window = live(key);
    if (!window || window.failures < max) return 0;
    return Math.max(1, Math.ceil((window.startedAt + options.windowMs - now()) / 1000));
  };
  const count = (key: string) => {
    const window = live(key);
    if (window) window.failures += 1;
    else windows.set(key, { failures: 1, startedAt: now() });
  };

  return {
    retryAfterSeconds(account, clientIp) {
      const byAccount = wait(`a:${account}`, options.maxFailuresPerAccount);
      const byIp = clientIp ? wait(`ip:${clientIp}`, options.maxFailuresPerIp) : 0;
      return Math.max(byAccount, byIp);
    },
    recordFailure(account, clientIp) {
      count(`a:${account}`);
      if (clientIp) count(`ip:${clientIp}`);
    },
    recordSuccess(account) {
      windows.delete(`a:${account}`);
    },
  };
}
