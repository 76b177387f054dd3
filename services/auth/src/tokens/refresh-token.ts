import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { RefreshTokenRecord } from "../store/interface.ts";

const PREFIX = "dogi_rt_";

/** SHA-256 of a high-entropy secret (refresh token, API key), hex: what the database stores. */
export function secretHash(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * A new refresh token (256 random bits) and its row. A new sign-in's family expires `ttlMs` from
 * now (REFRESH_TOKEN_TTL_DAYS); a rotation continues the family and keeps its absolute expiry, so a
 * sign-in lasts no longer however often it is refreshed.
 */
export function newRefreshToken(
  options: { userId: string; now: Date } & (
    { ttlMs: number } | { family: { familyId: string; expiresAt: Date } }
  ),
): { token: string; record: RefreshTokenRecord } {
  const family =
    "family" in options
      ? options.family
      : { familyId: randomUUID(), expiresAt: new Date(options.now.getTime() + options.ttlMs) };
  const token = PREFIX + randomBytes(32).toString("base64url");
  const record: RefreshTokenRecord = {
    tokenId: randomUUID(),
    userId: options.userId,
    familyId: family.familyId,
    tokenHash: secretHash(token),
    createdAt: options.now,
    expiresAt: family.expiresAt,
    revokedAt: null,
    replacedBy: null,
  };
  return { token, record };
}
