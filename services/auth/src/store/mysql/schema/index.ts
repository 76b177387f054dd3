export { users } from "./users.ts";
export { userProfiles } from "./user-profiles.ts";
export { pets } from "./pets.ts";
export { refreshTokens } from "./refresh-tokens.ts";
export { apiKeys } from "./api-keys.ts";
export { accountDeletions } from "./account-deletions.ts";
export { petHealthEntries } from "./pet-health-entries.ts";
export { auditLog } from "./audit-log.ts";
