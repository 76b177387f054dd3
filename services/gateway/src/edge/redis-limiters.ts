import type { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import type { Logger } from "@dogi/logger";
import { redisOutage } from "../redis.ts";
import type { Limiter, LimiterFactory } from "./rate-limiter.ts";
import { limiterOver, memoryLimiters, WINDOW_SECONDS } from "./rate-limiter.ts";

const KEY_PREFIX = "dogi:limit";

/**
 * Limiters kept in Redis, so that every gateway replica counts against the same allowance.
 *
 * When Redis cannot answer (down, not yet connected, or slower than the client's command
 * timeout), each limiter falls back to an in-memory one of the same allowance, per replica,
 * until Redis answers again. Failing open instead would lift every limit exactly when the
 * shared store is gone (and a flood that took Redis down would then pass unmetered); failing
 * closed would take the public door down with it. During an outage a client gets at most one
 * allowance per replica, and nothing that used to work stops working.
 */
export function redisLimiters(client: Redis, options: { logger: Logger }): LimiterFactory {
  const insurance = memoryLimiters();
  const outage = redisOutage(options.logger, "rate limits are");

  return (name, perMinute) => {
    const shared = limiterOver(
      new RateLimiterRedis({
        storeClient: client,
        points: perMinute,
        duration: WINDOW_SECONDS,
        keyPrefix: `${KEY_PREFIX}:${name}`,
        // Not connected: go to the insurance at once rather than queue behind a reconnect.
        rejectIfRedisNotReady: true,
      }),
      perMinute,
    );
    const local = insurance(name, perMinute);
    const insured = async <T>(use: (limiter: Limiter) => Promise<T>): Promise<T> => {
      let result: T;
      try {
        result = await use(shared);
      } catch (error) {
        outage.failed(error);
        return use(local);
      }
      outage.answered();
      return result;
    };
    return {
      take: (key, cost) => insured((limiter) => limiter.take(key, cost)),
      check: (key) => insured((limiter) => limiter.check(key)),
      charge: (key, cost) => insured((limiter) => limiter.charge(key, cost)),
    };
  };
}
