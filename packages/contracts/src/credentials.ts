import { z } from "zod";

// The shapes of the bearer credentials Dogi issues. Auth makes them (its tests check that what it
// issues fits); the gateway refuses anything else without asking auth, so a junk value costs no
// call and never travels further.

/** Every Dogi API key starts with this. */
export const API_KEY_PREFIX = "dogi_";
/** The JOSE header `typ` of access tokens (RFC 9068); nothing else Dogi signs carries it. */
export const ACCESS_TOKEN_TYP = "at+jwt";
/** The one algorithm access tokens are signed with. */
export const ACCESS_TOKEN_ALG = "HS256";
/** Far above a real token (about 320 characters), far below what could strain a header or a log line. */
export const ACCESS_TOKEN_MAX_LENGTH = 1024;

// An API key is the prefix and 32 random bytes in base64url (43 characters, no padding).
const API_KEY = /^dogi_[A-Za-z0-9_-]{43}$/;
// A compact JWS: header.payload.signature in base64url; an HS256 signature is 32 bytes (43 characters).
const COMPACT_JWS = /^([A-Za-z0-9_-]{16,256})\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{43}$/;

function base64UrlToText(value: string): string | null {
  try {
    // atob (not Buffer) so that the web page can use these schemas too.
    return atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
}

/** Whether a JWS header segment says HS256 and at+jwt, as every Dogi access token's does. */
function isAccessTokenHeader(segment: string): boolean {
  const text = base64UrlToText(segment);
  if (text === null) return false;
  try {
    const header: unknown = JSON.parse(text);
    return (
      typeof header === "object" &&
      header !== null &&
      (header as Record<string, unknown>).alg === ACCESS_TOKEN_ALG &&
      (header as Record<string, unknown>).typ === ACCESS_TOKEN_TYP
    );
  } catch {
    return false;
  }
}

/** A value that could be a Dogi API key (says nothing of whether it is a live one). */
export const ZApiKeyShape = z.string().regex(API_KEY, "is not a Dogi API key");

/** A value that could be a Dogi access token (says nothing of its signature or expiry). */
export const ZAccessTokenShape = z
  .string()
  .max(ACCESS_TOKEN_MAX_LENGTH, "is not a Dogi access token (too long)")
  .regex(COMPACT_JWS, "is not a Dogi access token")
  .refine(
    (value) => isAccessTokenHeader(value.slice(0, value.indexOf("."))),
    "is not a Dogi access token",
  );

// RFC 6750's scheme (case-insensitive), then the credential; nothing else in the header.
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The credential of an `Authorization: Bearer …` header, or undefined when there is none or it is
 * longer than `maxLength` (a caller that wants to say "too long" passes no limit).
 */
export function bearerToken(
  authorization: string | undefined,
  maxLength = Number.POSITIVE_INFINITY,
): string | undefined {
  const token = BEARER.exec(authorization ?? "")?.[1];
  return token !== undefined && token.length <= maxLength ? token : undefined;
}
