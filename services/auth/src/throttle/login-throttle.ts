import { createBoundedCache } from "../tokens/bounded-cache.ts";
import { addressKey } from "@dogi/trpc";

/**
 * Counts wrong passwords (at sign-in, password change and account deletion) so that guessing is
 * slow, without handing an attacker a way to lock the owner out.
 */
export interface LoginThrottle {
  /** Seconds until this client may try this account's password again, or 0 when it may now. */
  retryAfterSeconds(account: string, clientIp: string | undefined): number;
  recordFailure(account: string, clientIp: string | undefined): void;
  /**
   * The right password: the account's failures are forgiven (as they always were on a sign-in)
   * and this client becomes one of the account's known clients.
   */
  recordSuccess(account: string, clientIp: string | undefined): void;
}

export interface LoginThrottleOptions {
  /** Wrong passwords allowed before delays start: per account and client, and per account from unknown clients. */
  freeFailures: number;
  /** Wrong passwords one client may send in `windowMs`, over all accounts; then it waits out the window. */
  maxFailuresPerIp: number;
  /** The longest delay, and how long failures are remembered after their delay has passed. */
  windowMs: number;
  /** The first delay once the free failures are used; each further failure doubles it. */
  baseDelayMs: number;
  /** How long a client that gave an account's right password stays known to that account. */
  knownClientMs: number;
  /** Counters kept at most (oldest dropped), so a flood of made-up emails cannot exhaust memory. */
  maxEntries?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  lastAt: number;
}

interface Window {
  count: number;
  startedAt: number;
}

// Calls without an address (internal callers, tests) share one client that is never known.
const NO_ADDRESS = "?";

/**
 * In-memory throttle with progressive delays: after `freeFailures` wrong passwords, each further
 * one makes the next attempt wait `baseDelayMs`, then twice that, and so on up to `windowMs`,
 * never one long lock.
 *
 * Failures count per account and client together (client: IPv4 address or IPv6 /64), so an
 * attacker's failures slow the attacker. A client that recently gave the account's right password
 * is known: failures from elsewhere do not touch it, so the owner's own devices keep working
 * during an attack. Unknown clients are also slowed by the account's failures from all clients,
 * so many addresses cannot share out the guessing of one password; and one client's failures
 * over all accounts are capped, so it cannot spray passwords across many accounts.
 *
 * Counts are per process; several auth replicas each keep their own.
 */
export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const failures = createBoundedCache<string, Failures>(maxEntries);
  const perClient = createBoundedCache<string, Window>(maxEntries);
  // Kept apart from the counters, so that a flood of failures cannot evict the owner's devices.
  const known = createBoundedCache<string, number>(maxEntries);

  const delayAfter = (count: number): number =>
    count < options.freeFailures
      ? 0
      : Math.min(options.windowMs, options.baseDelayMs * 2 ** (count - options.freeFailures));

  const liveFailures = (key: string): Failures | undefined => {
    const entry = failures.get(key);
    if (entry && now() >= entry.lastAt + delayAfter(entry.count) + options.windowMs) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  };
  const delayLeftMs = (key: string): number => {
    const entry = liveFailures(key);
    return entry ? Math.max(0, entry.lastAt + delayAfter(entry.count) - now()) : 0;
  };
  const countFailure = (key: string) => {
    const entry = liveFailures(key);
    failures.set(key, { count: (entry?.count ?? 0) + 1, lastAt: now() });
  };

  const liveWindow = (key: string): Window | undefined => {
    const window = perClient.get(key);
    if (window && now() - window.startedAt >= options.windowMs) {
      perClient.delete(key);
      return undefined;
    }
    return window;
  };
  const clientCapLeftMs = (client: string): number => {
    const window = liveWindow(client);
    if (!window || window.count < options.maxFailuresPerIp) return 0;
    return window.startedAt + options.windowMs - now();
  };

  const clientOf = (clientIp: string | undefined) => (clientIp ? addressKey(clientIp) : NO_ADDRESS);
  const isKnown = (account: string, client: string): boolean => {
    if (client === NO_ADDRESS) return false;
    const until = known.get(`${account}|${client}`);
    return until !== undefined && until > now();
  };

  return {
    retryAfterSeconds(account, clientIp) {
      const client = clientOf(clientIp);
      const waits = [delayLeftMs(`p:${account}|${client}`)];
      if (!isKnown(account, client)) waits.push(delayLeftMs(`a:${account}`));
      if (client !== NO_ADDRESS) waits.push(clientCapLeftMs(client));
      const waitMs = Math.max(...waits);
      return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
    },
    recordFailure(account, clientIp) {
      const client = clientOf(clientIp);
      countFailure(`p:${account}|${client}`);
      countFailure(`a:${account}`);
      if (client === NO_ADDRESS) return;
      const window = liveWindow(client);
      if (window) window.count += 1;
      else perClient.set(client, { count: 1, startedAt: now() });
    },
    recordSuccess(account, clientIp) {
      const client = clientOf(clientIp);
      failures.delete(`p:${account}|${client}`);
      failures.delete(`a:${account}`);
      if (client !== NO_ADDRESS) known.set(`${account}|${client}`, now() + options.knownClientMs);
    },
  };
}
