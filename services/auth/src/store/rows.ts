import type { ProfileRecord } from "./interface.ts";

/** The profile fields of a user_profiles row (either dialect). */
export function profileOf(row: ProfileRecord & { userId: string; updatedAt: Date }): ProfileRecord {
  return { fullName: row.fullName, phone: row.phone, birthDate: row.birthDate, locale: row.locale };
}
