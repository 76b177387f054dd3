import { createSecretKey, randomUUID } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from "@dogi/contracts";
import type { AuthStore } from "../store/interface.ts";
import { createBoundedCache } from "./bounded-cache.ts";

export const TOKEN_ISSUER = "dogi-auth";
export const TOKEN_AUDIENCE = "dogi";

/** A verified access token. */
export interface VerifiedAccess {
  userId: string;
  expiresAt: Date;
}

/** Issues and verifies access tokens (JWT HS256) and tracks each user's token version. */
export interface AccessTokens {
  issue(user: {
    userId: string;
    tokenVersion: number;
  }): Promise<{ token: string; expiresAt: Date }>;
  /** The token's owner, or null when it is invalid, expired, or revoked by a newer token version. */
  verify(token: string): Promise<VerifiedAccess | null>;
  /** Forget what is known of the user's token version: call after bumping it or deleting the user. */
  invalidateUser(userId: string): void;
}

export interface AccessTokenOptions {
  secret: string;
  /** How long a token is good for (ACCESS_TOKEN_TTL_MINUTES). */
  ttlSeconds: number;
  store: Pick<AuthStore, "tokenVersionOf">;
  /** How many verified tokens to remember (0 turns the cache off). */
  cacheSize: number;
  /** How long a user's token version read from the database is trusted. */
  versionCacheMs: number;
  now?: () => number;
}

interface CachedToken {
  userId: string;
  version: number;
  expiresAtMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Access tokens with two caches. Verified tokens (keyed by the whole token string, so a changed
 * signature never hits) skip the HMAC and claim checks until they expire. The token-version check
 * is never skipped: every verification, cached or not, compares the token's `ver` with the user's
 * current version, which is itself cached for at most `versionCacheMs` and dropped at once when this
 * process revokes (logout-all, password change, deletion).
 */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const now = options.now ?? Date.now;
  const key = createSecretKey(Buffer.from(options.secret, "utf8"));
  const verified = createBoundedCache<string, CachedToken>(options.cacheSize);
  const versions = createBoundedCache<string, { version: number | null; fetchedAt: number }>(
    Math.max(options.cacheSize, 1_000),
  );
  const pending = new Map<string, Promise<number | null>>();

  const currentVersion = (userId: string): number | null | Promise<number | null> => {
    const known = versions.get(userId);
    if (known && now() - known.fetchedAt < options.versionCacheMs) return known.version;
    const inFlight = pending.get(userId);
    if (inFlight) return inFlight;
    const fetchedAt = now();
    const read: Promise<number | null> = options.store.tokenVersionOf(userId).then(
      (version) => {
        // A revocation while this read was in flight must not be overwritten by its stale answer.
        if (pending.get(userId) === read) {
          versions.set(userId, { version, fetchedAt });
          pending.delete(userId);
        }
        return version;
      },
      (error: unknown) => {
        if (pending.get(userId) === read) pending.delete(userId);
        throw error;
      },
    );
    pending.set(userId, read);
    return read;
  };

  const decode = async (token: string): Promise<CachedToken | null> => {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ["iss", "aud", "sub", "iat", "exp", "jti"],
        currentDate: new Date(now()),
      });
      const { sub, exp, ver, typ } = payload;
      if (typ !== "access" || typeof sub !== "string" || !UUID.test(sub)) return null;
      if (typeof ver !== "number" || !Number.isInteger(ver) || typeof exp !== "number") return null;
      return { userId: sub, version: ver, expiresAtMs: exp * 1000 };
    } catch {
      return null;
    }
  };

  return {
    async issue(user) {
      const issuedAt = Math.floor(now() / 1000);
      const expiresAt = issuedAt + options.ttlSeconds;
      const token = await new SignJWT({ typ: "access", ver: user.tokenVersion })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setSubject(user.userId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .setJti(randomUUID())
        .sign(key);
      return { token, expiresAt: new Date(expiresAt * 1000) };
    },

    async verify(token) {
      let entry = verified.get(token);
      if (entry && entry.expiresAtMs <= now()) {
        verified.delete(token);
        entry = undefined;
      }
      if (!entry) {
        const decoded = await decode(token);
        if (!decoded) return null;
        entry = decoded;
        verified.set(token, entry);
      }
      const version = await currentVersion(entry.userId);
      if (version === null || version !== entry.version) return null;
      return { userId: entry.userId, expiresAt: new Date(entry.expiresAtMs) };
    },

    invalidateUser(userId) {
      versions.delete(userId);
      pending.delete(userId);
    },
  };
}
