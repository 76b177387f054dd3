import { createBoundedCache } from "../tokens/bounded-cache.ts";
import { addressKey } from "@dogi/trpc";

/** Limits new accounts per client (IPv4 address or IPv6 /64) in fixed windows. */
export interface SignUpThrottle {
  /** Counts one sign-up from this client; when it is one too many, the seconds to wait instead (nothing counted). */
  take(clientIp: string | undefined): number;
}

export interface SignUpThrottleOptions {
  maxPerClient: number;
  windowMs: number;
  /** Counters kept at most (oldest dropped). */
  maxEntries?: number;
  now?: () => number;
}

/**
 * In-memory, per process. A sign-up without an address (an internal caller) is not limited:
 * the gateway always sends one.
 */
export function createSignUpThrottle(options: SignUpThrottleOptions): SignUpThrottle {
  const now = options.now ?? Date.now;
  const windows = createBoundedCache<string, { count: number; startedAt: number }>(
    options.maxEntries ?? 100_000,
  );
  return {
    take(clientIp) {
      if (!clientIp) return 0;
      const key = addressKey(clientIp);
      const window = windows.get(key);
      if (!window || now() - window.startedAt >= options.windowMs) {
        windows.set(key, { count: 1, startedAt: now() });
        return 0;
      }
      if (window.count >= options.maxPerClient)
        return Math.max(1, Math.ceil((window.startedAt + options.windowMs - now()) / 1000));
      window.count += 1;
      return 0;
    },
  };
}
