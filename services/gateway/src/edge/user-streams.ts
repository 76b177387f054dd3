import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "@dogi/logger";
import { AppError } from "@dogi/trpc";
import { redisOutage } from "../redis.ts";

/**
 * Answers being generated per user, across the chat turn and the OpenAI-compatible door
 * together (GATEWAY_MAX_STREAMS_PER_USER): one user cannot hold more of the model than that,
 * however they call it, and (with Redis) through whichever replica.
 */
export interface UserStreams {
  /** Counts one more answer for `userId` and returns its release, or throws RATE_LIMITED. */
  begin(userId: string): Promise<() => void>;
}

const refusal = (count: number) =>
  new AppError(
    "RATE_LIMITED",
    `You already have ${count} answer${count === 1 ? "" : "s"} being written; wait for ${count === 1 ? "it" : "one"} to finish.`,
    { retryAfterSeconds: 2 },
  );

/** One replica's count of each user's answers being generated. */
export class LocalUserStreams implements UserStreams {
  private readonly active = new Map<string, number>();

  constructor(private readonly perUser: number) {}

  async begin(userId: string): Promise<() => void> {
    return this.beginNow(userId);
  }

  /** begin, answered at once (for the shared count's insurance). */
  beginNow(userId: string): () => void {
    const count = this.active.get(userId) ?? 0;
    if (count >= this.perUser) throw refusal(count);
    this.active.set(userId, count + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.active.get(userId) ?? 1) - 1;
      if (left > 0) this.active.set(userId, left);
      else this.active.delete(userId);
    };
  }

  /** Answers being generated for `userId` now. */
  count(userId: string): number {
    return this.active.get(userId) ?? 0;
  }
}

const KEY_PREFIX = "dogi:streams";

// A user's answers are a sorted set of leases scored by when each runs out, on Redis's clock
// (replicas' clocks may differ). Leases run out on their own, so the answers of a replica that
// died are forgotten within one lease; a live replica renews its leases well before that.
const BEGIN = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then return count end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return -1
`;
const RENEW = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[2]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 0
`;

/**
 * Answers per user counted in Redis, so that every gateway replica holds a user to one share.
 * When Redis cannot answer, each replica counts on its own (at most one share per replica, as
 * the rate limiters' insurance does) until it answers again.
 */
export function sharedUserStreams(
  client: Redis,
  perUser: number,
  options: { logger: Pick<Logger, "warn" | "info">; leaseMs?: number },
): UserStreams & { close(): void } {
  const leaseMs = options.leaseMs ?? 60_000;
  const insurance = new LocalUserStreams(perUser);
  const leases = new Map<string, string>(); // lease id -> its user's key
  const outage = redisOutage(options.logger, "counts of answers per user are");
  // Renewed three times a lease, so one slow or failed round does not lose a live answer.
  const renewal = setInterval(() => {
    for (const [id, key] of leases) client.eval(RENEW, 1, key, leaseMs, id).catch(() => undefined);
  }, leaseMs / 3);
  renewal.unref();

  return {
    async begin(userId) {
      const key = `${KEY_PREFIX}:${userId}`;
      const id = randomUUID();
      let result: unknown;
      try {
        // Not connected: count here at once rather than queue behind a reconnect.
        if (client.status !== "ready") throw new Error(`Redis is ${client.status}`);
        result = await client.eval(BEGIN, 1, key, leaseMs, id, perUser);
      } catch (error) {
        outage.failed(error);
        return insurance.beginNow(userId);
      }
      outage.answered();
      if (Number(result) >= 0) throw refusal(Number(result));
      leases.set(id, key);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        leases.delete(id);
        // Should Redis not hear it, the lease runs out on its own.
        client.zrem(key, id).catch(() => undefined);
      };
    },
    close() {
      clearInterval(renewal);
    },
  };
}
