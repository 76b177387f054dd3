import type { TUserActivity } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";

/** Sessions and turns of each user asked about; zeros for a user with none (or unknown). */
export async function userActivity(
  deps: SessionDeps,
  options: { userIds: readonly string[] },
): Promise<TUserActivity> {
  const counts = await deps.store.countActivity([...new Set(options.userIds)]);
  return Object.fromEntries(
    options.userIds.map((userId) => [userId, counts.get(userId) ?? { sessions: 0, turns: 0 }]),
  );
}
