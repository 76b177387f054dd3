import type { Logger } from "@dogi/logger";
import type { ServiceClients } from "../clients.ts";

const ATTEMPTS = 5;

/**
 * Deletes what other services hold for a deleted user, retrying until each store reports
 * nothing left (a delete that failed halfway, or a turn written while it ran, is caught by the
 * next pass). Returns false when a store could not be cleaned; the account itself is gone.
 */
export async function deleteUserData(options: {
  services: Pick<ServiceClients, "session">;
  userId: string;
  alsoDeleteIn: readonly string[];
  logger: Logger;
  delayMs?: number;
}): Promise<boolean> {
  if (!options.alsoDeleteIn.includes("session")) return true;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const first = await options.services.session.deleteAllForUser.mutate({
        userId: options.userId,
      });
      // A second pass must find nothing: then no session was created while the first one ran.
      const second = await options.services.session.deleteAllForUser.mutate({
        userId: options.userId,
      });
      if (second.deletedSessions === 0) {
        options.logger.info(
          { userId: options.userId, deletedSessions: first.deletedSessions },
          "user sessions deleted",
        );
        return true;
      }
    } catch (error) {
      options.logger.warn(
        { err: error, attempt, userId: options.userId },
        "deleting user sessions failed; retrying",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, (options.delayMs ?? 200) * attempt));
  }
  options.logger.error({ userId: options.userId }, "user sessions could not be deleted");
  return false;
}
