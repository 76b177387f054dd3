import { ZAccessTokenShape, ZApiKeyShape } from "@dogi/contracts";

/** What a presented bearer value can be, judged by its shape alone. */
export type CredentialKind = "access_token" | "api_key";

/**
 * Whether a bearer value could be a Dogi API key or access token at all. Anything else is
 * refused at the edge: it could not verify, and asking auth about it would only let junk
 * travel (and be logged) further.
 */
export function credentialKind(value: string): CredentialKind | null {
  if (ZApiKeyShape.safeParse(value).success) return "api_key";
  if (ZAccessTokenShape.safeParse(value).success) return "access_token";
  return null;
}
