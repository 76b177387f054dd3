import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { RefreshTokenRecord } from "../store/interface.ts";

export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const PREFIX = "dogi_rt_";

/** SHA-256 of a high-entropy secret (refresh token, API key), hex: what the database stores. */
export function secretHash(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * A new refresh token (256 random bits) and its row. A rotation continues the family and keeps its
 * absolute expiry, so a sign-in lasts at most 7 days however often it is refreshed.
 */
export function newRefreshToken(options: {
  userId: string;
  now: Date;
  family?: { familyId: string; expiresAt: Date };
}): { token: string; record: RefreshTokenRecord } {
  const token = PREFIX + randomBytes(32).toString("base64url");
  const record: RefreshTokenRecord = {
    tokenId: randomUUID(),
    userId: options.userId,
    familyId: options.family?.familyId ?? randomUUID(),
    tokenHash: secretHash(token),
    createdAt: options.now,
    expiresAt: options.family?.expiresAt ?? new Date(options.now.getTime() + REFRESH_TOKEN_TTL_MS),
    revokedAt: null,
    replacedBy: null,
  };
  return { token, record };
}
