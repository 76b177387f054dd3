import type { DeletedCounts, ProfileRecord } from "./interface.ts";

/** The profile fields of a user_profiles row (either dialect). */
export function profileOf(row: ProfileRecord & { userId: string; updatedAt: Date }): ProfileRecord {
  return { fullName: row.fullName, phone: row.phone, birthDate: row.birthDate, locale: row.locale };
}

/** The tables that hold a user's rows, by the adapters' names; children before the user. */
export type UserTable =
  "petHealthEntries" | "pets" | "refreshTokens" | "apiKeys" | "userProfiles" | "users";

/**
 * Deletes a user's rows, one table at a time through `remove` (which answers how many rows it
 * deleted), children first; the counts, or null when there was no such user.
 */
export async function removeUserRows(
  remove: (table: UserTable) => Promise<number>,
): Promise<DeletedCounts | null> {
  await remove("petHealthEntries");
  const pets = await remove("pets");
  const refreshTokens = await remove("refreshTokens");
  const apiKeys = await remove("apiKeys");
  await remove("userProfiles");
  return (await remove("users")) === 1 ? { pets, refreshTokens, apiKeys } : null;
}
