import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuthGateway } from "../testing/auth-gateway.ts";

// The real gateway in front of the real auth service, with sign-in lifetimes other than the defaults.
let stack: Awaited<ReturnType<typeof startAuthGateway>>;
beforeAll(async () => {
  stack = await startAuthGateway({
    auth: { accessTokenTtlSeconds: 10 * 60, refreshTokenTtlMs: 2 * 24 * 60 * 60_000 },
  });
});
afterAll(async () => {
  await stack?.close();
});

const post = (route: string, body: unknown, cookie?: string) =>
  fetch(`${stack.url}/web/session/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

const maxAgeOf = (response: Response) =>
  Number(/Max-Age=(\d+)/.exec(response.headers.get("set-cookie") ?? "")?.[1]);

describe("the page's sign-in cookie", () => {
  it("lasts as long as auth's sign-in (REFRESH_TOKEN_TTL_DAYS), and the access token ACCESS_TOKEN_TTL_MINUTES", async () => {
    const registered = await post("register", {
      email: `u-${randomUUID().slice(0, 8)}@example.com`,
      password: "correct horse battery",
    });
    expect(registered.status).toBe(201);
    const twoDays = 2 * 24 * 60 * 60;
    expect(maxAgeOf(registered)).toBeGreaterThan(twoDays - 60);
    expect(maxAgeOf(registered)).toBeLessThanOrEqual(twoDays);
    const body = (await registered.json()) as { expires_in: number };
    expect(body.expires_in).toBeGreaterThan(10 * 60 - 5);
    expect(body.expires_in).toBeLessThanOrEqual(10 * 60);

    // A refresh keeps the sign-in's end: the cookie's Max-Age does not start over.
    const cookie = (registered.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const refreshed = await post("refresh", {}, cookie);
    expect(refreshed.status).toBe(200);
    expect(maxAgeOf(refreshed)).toBeLessThanOrEqual(maxAgeOf(registered));
    expect(maxAgeOf(refreshed)).toBeGreaterThan(twoDays - 60);
  });
});
