import type { Logger } from "@dogi/logger";
import type { RedisConnections } from "../redis.ts";
import type { Authenticator } from "./authenticator.ts";

const CHANNEL = "dogi:revocations";
// A user id is a UUID; anything much longer on the channel is not ours.
const MAX_USER_ID = 200;

/** What the routes call after a revocation (logout-all, password change, deletion, key revoked). */
export type Revocations = Pick<Authenticator, "forgetUser">;

/**
 * Revocations shared by every gateway replica through Redis pub/sub: a user's credentials are
 * forgotten here at once and, within moments, by every other replica's cache as well.
 * Pub/sub keeps nothing: a replica cut off from Redis when a revocation is published misses it,
 * and drops the credential when its cache time (GATEWAY_AUTH_CACHE_MS) runs out, as without Redis.
 */
export function shareRevocations(options: {
  authenticator: Revocations;
  redis: Pick<RedisConnections, "commands" | "subscriber">;
  logger: Logger;
}): Revocations & { subscribed: Promise<void> } {
  const { authenticator, redis, logger } = options;
  redis.subscriber.on("message", (channel: string, userId: string) => {
    if (channel === CHANNEL && userId.length > 0 && userId.length <= MAX_USER_ID)
      authenticator.forgetUser(userId);
  });
  const subscribed = redis.subscriber.subscribe(CHANNEL).then(
    () => undefined,
    (error: unknown) => {
      logger.error({ err: error }, "could not subscribe to revocations from other replicas");
    },
  );
  return {
    subscribed,
    forgetUser(userId) {
      authenticator.forgetUser(userId);
      // Also heard back by this replica's own subscription: forgetting twice is harmless.
      redis.commands.publish(CHANNEL, userId).catch((error: unknown) => {
        logger.warn(
          { err: error, userId },
          "could not tell other replicas of a revocation; they drop the credentials within GATEWAY_AUTH_CACHE_MS",
        );
      });
    },
  };
}
