import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api } from "../testing/api.ts";
import { startAuthGateway } from "../testing/auth-gateway.ts";

// Through the public REST routes of the real gateway, in front of the real auth service. The
// gateway trusts this machine as a proxy, so each request's X-Forwarded-For is its client; auth
// runs on the test's clock, so delays can be waited out at once.
let now = Date.parse("2025-06-01T00:00:00Z");
let stack: Awaited<ReturnType<typeof startAuthGateway>>;
beforeAll(async () => {
  stack = await startAuthGateway({
    auth: {
      nowMs: () => now,
      maxFailuresPerAccount: 5,
      loginBaseDelayMs: 30_000,
      failureWindowMs: 15 * 60_000,
      signUpsPerClient: 5,
      signUpWindowMs: 60 * 60_000,
    },
    env: { TRUSTED_PROXIES: "127.0.0.1,::1" },
  });
});
afterAll(async () => {
  await stack?.close();
});

const password = "correct horse battery";
const from = (ip: string) => ({ "x-forwarded-for": ip });

/** Signs up a new account from `ip`; its token is kept by the returned client. */
async function signUp(ip: string) {
  const api = new Api(stack.url);
  const email = `owner-${randomUUID().slice(0, 8)}@example.com`;
  const created = await api.call("POST", "/v1/auth/register", { email, password }, from(ip));
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  api.token = created.json.access_token as string;
  return { api, email };
}

const signIn = (email: string, ip: string, pass = password) =>
  new Api(stack.url).call("POST", "/v1/auth/login", { email, password: pass }, from(ip));

/** Refused with 429, Retry-After in the header and the same seconds in the message. */
function expectRetryAfter(answer: Awaited<ReturnType<Api["call"]>>): number {
  expect(answer.status, JSON.stringify(answer.json)).toBe(429);
  expect(answer.json.error.code).toBe("RATE_LIMITED");
  const seconds = Number(answer.headers.get("retry-after"));
  expect(seconds).toBeGreaterThan(0);
  expect(answer.json.error.message).toContain(`Try again in ${seconds} seconds.`);
  return seconds;
}

describe("sign-in limits through the public API", () => {
  it("never locks the owner out of their own client, whatever attackers elsewhere send", async () => {
    const { email } = await signUp("198.51.100.10");
    // Attackers from several addresses guess until they are refused, and keep going.
    for (const attacker of ["203.0.113.1", "203.0.113.2", "2001:db8:bad:1::1"]) {
      const answers = [];
      for (let i = 0; i < 7; i += 1)
        answers.push((await signIn(email, attacker, "wrong-password")).status);
      expect(answers.slice(0, 5).every((status) => status === 401 || status === 429)).toBe(true);
      expect(answers.slice(5)).toEqual([429, 429]);
    }
    // A client that never signed in to the account is slowed by the account's failures…
    expectRetryAfter(await signIn(email, "192.0.2.77"));
    // …but the owner, from the client they signed up from, is let in at once.
    const owner = await signIn(email, "198.51.100.10");
    expect(owner.status, JSON.stringify(owner.json)).toBe(200);
    expect(owner.json.user.email).toBe(email);
  });

  it("makes each further failure from a client wait twice as long as the one before", async () => {
    const { email } = await signUp("198.51.100.20");
    const attacker = "203.0.113.20";
    for (let i = 0; i < 5; i += 1)
      expect((await signIn(email, attacker, "wrong-password")).status).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const seconds = expectRetryAfter(await signIn(email, attacker, "wrong-password"));
      waits.push(seconds);
      now += seconds * 1000;
      expect((await signIn(email, attacker, "wrong-password")).status).toBe(401);
    }
    expect(waits).toEqual([30, 60, 120]);
    expect(expectRetryAfter(await signIn(email, attacker))).toBe(240);
  });

  it("refuses the 6th sign-up from one IPv6 /64 within the hour with 429 and Retry-After", async () => {
    for (let i = 1; i <= 5; i += 1) await signUp(`2001:db8:5:6::${i}`);
    const sixth = await new Api(stack.url).call(
      "POST",
      "/v1/auth/register",
      { email: `late-${randomUUID().slice(0, 8)}@example.com`, password },
      from("2001:db8:5:6:ffff::99"),
    );
    const seconds = expectRetryAfter(sixth);
    expect(seconds).toBeLessThanOrEqual(60 * 60);
    expect(sixth.json.error.message).toMatch(/new accounts/);
    // Another network is not affected, and this one may sign up again after the hour.
    await signUp("2001:db8:5:7::1");
    now += seconds * 1000;
    await signUp("2001:db8:5:6::7");
  });

  it("limits sign-ups per IPv4 address", async () => {
    for (let i = 0; i < 5; i += 1) await signUp("198.51.100.30");
    expectRetryAfter(
      await new Api(stack.url).call(
        "POST",
        "/v1/auth/register",
        { email: `late-${randomUUID().slice(0, 8)}@example.com`, password },
        from("198.51.100.30"),
      ),
    );
    await signUp("198.51.100.31");
  });

  it("throttles a flood of wrong current passwords on password change and deletion, as at sign-in", async () => {
    const { api, email } = await signUp("198.51.100.40");
    // Someone holding the owner's access token guesses the password from elsewhere.
    const thief = "203.0.113.40";
    const change = (current: string, ip: string) =>
      api.call(
        "POST",
        "/v1/auth/password",
        { current_password: current, new_password: "a new long passphrase" },
        from(ip),
      );
    for (let i = 0; i < 5; i += 1) expect((await change(`guess-${i}`, thief)).status).toBe(403);
    const limited = expectRetryAfter(await change("guess-5", thief));
    expect(limited).toBe(30);
    // Even the right password is refused from there until the wait is over, and deletion too.
    expectRetryAfter(await change(password, thief));
    expectRetryAfter(await api.call("DELETE", "/v1/auth/me", { password }, from(thief)));
    // The same count as sign-in: that client cannot sign in either.
    expectRetryAfter(await signIn(email, thief));
    // The owner's own client is not held up by the thief's guesses.
    const changed = await change(password, "198.51.100.40");
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
  });
});
