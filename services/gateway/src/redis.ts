import { Redis } from "ioredis";
import type { Logger } from "@dogi/logger";

// A limiter waits this long on Redis before the per-replica insurance answers instead: a Redis
// that hangs (a network partition TCP has not noticed) must not hold every request behind it.
const COMMAND_TIMEOUT_MS = 300;

/** The gateway's two connections to Redis (REDIS_URL). */
export interface RedisConnections {
  /** The limiters' counters, and revocations published. */
  commands: Redis;
  /** Subscribed to revocations (a subscribed connection may send nothing else). */
  subscriber: Redis;
  /** Drops both connections at once (shutdown: nothing waits on Redis then). */
  close(): void;
}

/** Connects to Redis in the background; commands fail fast until it answers, then reconnect on their own. */
export function connectRedis(url: string, logger: Logger): RedisConnections {
  const commands = new Redis(url, { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 });
  // A subscription waits for Redis however long it takes, and is renewed after each reconnect.
  const subscriber = commands.duplicate({ commandTimeout: undefined, maxRetriesPerRequest: null });
  for (const [name, connection] of [
    ["commands", commands],
    ["subscriber", subscriber],
  ] as const) {
    // ioredis emits "error" at every failed reconnect; one line per outage is enough.
    let down = false;
    connection.on("error", (error: unknown) => {
      if (down) return;
      down = true;
      logger.warn({ err: error, connection: name }, "lost Redis; reconnecting");
    });
    connection.on("ready", () => {
      if (!down) return;
      down = false;
      logger.info({ connection: name }, "Redis is back");
    });
  }
  return {
    commands,
    subscriber,
    close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * Tracks whether Redis answers for one thing kept there (`what`), logging once when it stops
 * (the thing is then kept per replica) and once when it answers again.
 */
export function redisOutage(
  logger: Pick<Logger, "warn" | "info">,
  what: string,
): { failed(error: unknown): void; answered(): void } {
  let degraded = false;
  return {
    failed(error) {
      if (degraded) return;
      degraded = true;
      logger.warn(
        { err: error },
        `Redis is unreachable: ${what} kept per replica until it answers again`,
      );
    },
    answered() {
      if (!degraded) return;
      degraded = false;
      logger.info(`Redis answers again: ${what} shared by every replica`);
    },
  };
}
