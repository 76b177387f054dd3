import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { LruKeys } from "./lru-keys.ts";

/** The verdict of a rate limiter: allowed, or how many seconds until it would be. */
export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Points per key (an address, a user) per minute. Windows are fixed: a key may spend its whole
 * minute's allowance at once, and has it back when its minute is over.
 */
export interface Limiter {
  /** Takes `cost` points if the key has them; else how long until it would. */
  take(key: string, cost?: number): Promise<LimitVerdict>;
  /** Whether the key has anything left, without taking. */
  check(key: string): Promise<LimitVerdict>;
  /** Adds a cost known only afterwards (may overdraw), or gives points back when negative. */
  charge(key: string, cost: number): Promise<void>;
}

/** Makes the limiter named `name` (its keys are its own) allowing `perMinute` points a minute. */
export interface LimiterFactory {
  (name: string, perMinute: number): Limiter;
}

/** Every limiter counts in fixed windows of a minute. */
export const WINDOW_SECONDS = 60;
const ALLOWED: LimitVerdict = { ok: true };
/** Keys each in-memory limiter remembers; past it the least recently used key is forgotten. */
const MEMORY_MAX_KEYS = 100_000;

function refused(res: RateLimiterRes): LimitVerdict {
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}

/**
 * Our interface over one of rate-limiter-flexible's limiters. A refusal (the library rejects
 * with a RateLimiterRes) becomes a verdict; any other failure is the store's and is thrown.
 * `keys`, when given, bounds the store: each key used is touched, the one it pushes out deleted.
 */
export function limiterOver(
  store: RateLimiterAbstract,
  perMinute: number,
  keys?: LruKeys,
): Limiter {
  const use = async (key: string) => {
    const evicted = keys?.touch(key);
    if (evicted !== undefined) await store.delete(evicted);
  };
  return {
    async take(key, cost = 1) {
      await use(key);
      // Stores count whole points (Redis refuses fractions).
      const points = Math.ceil(cost);
      try {
        await store.consume(key, points);
        return ALLOWED;
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        // The store counted the refused points too. Give them back when this take is what
        // pushed the key over, so that a large cost refused leaves the small ones their room;
        // a key that was over already stays as it is (one store call per refusal in a flood).
        if (error.consumedPoints - points < perMinute) await store.reward(key, points);
        return refused(error);
      }
    },

    async check(key) {
      await use(key);
      const res = await store.get(key);
      return res === null || res.consumedPoints < perMinute ? ALLOWED : refused(res);
    },

    async charge(key, cost) {
      const points = Math.round(cost);
      if (points === 0) return;
      await use(key);
      if (points < 0) {
        const res = await store.reward(key, -points);
        // Given back into a window that began after the cost was taken: the key owes nothing,
        // but must not start with more than a minute's allowance either.
        if (res.consumedPoints < 0) await store.delete(key);
        return;
      }
      const res = await store.penalty(key, points);
      const debt = res.consumedPoints - perMinute;
      if (debt <= 0) return;
      // An overdraw is repaid at the allowance's pace: the key stays refused past its window
      // for as long as the excess takes to earn, so a turn's tokens are never forgiven early.
      const blockMs = res.msBeforeNext + (debt / perMinute) * WINDOW_SECONDS * 1000;
      await store.block(key, Math.ceil(blockMs / 1000));
    },
  };
}

/** Limiters kept in this process, each bounded to `maxKeys` keys (least recently used forgotten). */
export function memoryLimiters(options: { maxKeys?: number } = {}): LimiterFactory {
  const maxKeys = options.maxKeys ?? MEMORY_MAX_KEYS;
  return (_name, perMinute) =>
    limiterOver(
      new RateLimiterMemory({ points: perMinute, duration: WINDOW_SECONDS, keyPrefix: "" }),
      perMinute,
      new LruKeys(maxKeys),
    );
}
