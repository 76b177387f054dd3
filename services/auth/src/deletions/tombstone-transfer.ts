import { z } from "zod";
import type { AuthStore } from "../store/interface.ts";

/** Tombstones as they travel between a database and the next across a restore (JSON). */
export const ZTombstoneTransfer = z.array(
  z.object({ userId: z.string().min(1).max(64), deletedAt: z.coerce.date() }),
);

/** Every tombstone of `store`, as JSON, after bringing its schema up to date. */
export async function exportTombstones(store: AuthStore): Promise<string> {
  await store.migrate();
  const records = await store.listDeletions();
  return JSON.stringify(records.map(({ userId, deletedAt }) => ({ userId, deletedAt })));
}

/**
 * Replays tombstones exported from the database a restore replaced (see replayDeletions): the
 * accounts they name are removed from the restored one, and every deletion is pending again.
 */
export async function replayTombstoneJson(
  store: AuthStore,
  json: string,
  now: Date,
): Promise<{ insertedTombstones: number; removedUsers: number }> {
  const tombstones = ZTombstoneTransfer.parse(JSON.parse(json));
  await store.migrate();
  return store.replayDeletions(tombstones, now);
}
