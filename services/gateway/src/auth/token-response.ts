import type { TRestTokenResponse, TTokenPair } from "@dogi/contracts";

/** A token pair as OAuth2 clients expect it: snake_case, "bearer", and seconds until expiry. */
export function tokenResponse(tokens: TTokenPair, now = Date.now()): TRestTokenResponse {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    token_type: "bearer",
    expires_in: Math.max(0, Math.round((Date.parse(tokens.accessTokenExpiresAt) - now) / 1000)),
  };
}
