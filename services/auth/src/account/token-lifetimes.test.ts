import { randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnv, ZAuthEnv } from "@dogi/config";
import { settingsFromEnv } from "../build-deps.ts";
import { goodPassword, startAuth, uniqueEmail } from "../testing/harness.ts";
import type { AuthHarness } from "../testing/harness.ts";
import { storeKinds } from "../testing/stores.ts";

const [sqlite] = storeKinds();
const running: AuthHarness[] = [];
afterAll(async () => {
  for (const auth of running) await auth.close();
  await sqlite?.stop();
});

const DAY_MS = 24 * 60 * 60_000;

/** Auth with the settings its environment gives, over SQLite. */
async function authWith(variables: Record<string, string>) {
  if (!sqlite) throw new Error("no sqlite store kind");
  const env = loadEnv(ZAuthEnv, {
    service: "auth",
    source: {
      JWT_SECRET: randomBytes(48).toString("base64"),
      INTERNAL_SECRET: randomBytes(48).toString("base64"),
      ...variables,
    },
  });
  const auth = await startAuth(sqlite, settingsFromEnv(env));
  running.push(auth);
  return auth;
}

describe("token lifetimes", () => {
  it("issues access tokens for ACCESS_TOKEN_TTL_MINUTES and sign-ins for REFRESH_TOKEN_TTL_DAYS", async () => {
    const auth = await authWith({ ACCESS_TOKEN_TTL_MINUTES: "10", REFRESH_TOKEN_TTL_DAYS: "2" });
    const before = Date.now();
    const { tokens } = await auth
      .client()
      .account.register.mutate({ email: uniqueEmail(), password: goodPassword });
    const claims = decodeJwt(tokens.accessToken);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(10 * 60);
    expect(Date.parse(tokens.accessTokenExpiresAt)).toBe((claims.exp ?? 0) * 1000);
    const refreshLeft = Date.parse(tokens.refreshTokenExpiresAt) - before;
    expect(refreshLeft).toBeGreaterThan(2 * DAY_MS - 60_000);
    expect(refreshLeft).toBeLessThanOrEqual(2 * DAY_MS + 1_000);
    // A refresh keeps the sign-in's end, and gives an access token of the same lifetime.
    const next = await auth.client().tokens.refresh.mutate({ refreshToken: tokens.refreshToken });
    expect(next.refreshTokenExpiresAt).toBe(tokens.refreshTokenExpiresAt);
    const nextClaims = decodeJwt(next.accessToken);
    expect((nextClaims.exp ?? 0) - (nextClaims.iat ?? 0)).toBe(10 * 60);
  });

  it("takes the original Dogi's names, and keeps 30 minutes and 7 days when none is set", async () => {
    const original = await authWith({
      ACCESS_TOKEN_EXPIRE_MINUTES: "45",
      REFRESH_TOKEN_EXPIRE_DAYS: "30",
    });
    const fallback = await authWith({});
    for (const [auth, minutes, days] of [
      [original, 45, 30],
      [fallback, 30, 7],
    ] as const) {
      const email = uniqueEmail();
      await auth.client().account.register.mutate({ email, password: goodPassword });
      const before = Date.now();
      const { tokens } = await auth.client().tokens.issue.mutate({ email, password: goodPassword });
      const claims = decodeJwt(tokens.accessToken);
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(minutes * 60);
      const refreshLeft = Date.parse(tokens.refreshTokenExpiresAt) - before;
      expect(Math.round(refreshLeft / DAY_MS)).toBe(days);
    }
  });
});
