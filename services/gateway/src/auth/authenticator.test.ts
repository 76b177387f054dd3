import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@dogi/testing";
import { testServiceClients } from "../testing/service-clients.ts";
import { startFakeAuth } from "../testing/fake-auth.ts";
import type { FakeAuth } from "../testing/fake-auth.ts";
import type { ServiceClients } from "../clients.ts";
import { Authenticator } from "./authenticator.ts";

// Against the auth procedures over real tRPC/HTTP; the clock is the test's.
let auth: FakeAuth;
beforeAll(async () => {
  auth = await startFakeAuth();
});
afterAll(async () => {
  await auth.close();
});

function authenticator(cacheMs: number) {
  let now = 1_000_000;
  const services = testServiceClients({ AUTH_URL: auth.url }, 5_000);
  return {
    authenticator: new Authenticator(services, cacheMs, () => now),
    advance: (ms: number) => (now += ms),
  };
}

describe("Authenticator", () => {
  it("asks auth once, then again in the background past half the cache time", async () => {
    const { authenticator: a, advance } = authenticator(1_000);
    const key = auth.apiKey();
    const calls = auth.calls();
    const caller = await a.verify(key);
    expect(caller).toMatchObject({ kind: "api_key", scopes: ["inference"], token: key });
    advance(400);
    expect(a.cached(key)).toEqual(caller);
    expect(auth.calls() - calls).toBe(1);

    advance(200);
    // Answered at once from memory; one refresh however many uses arrive meanwhile.
    expect(a.cached(key)).toEqual(caller);
    expect(a.cached(key)).toEqual(caller);
    await waitFor(() => auth.calls() - calls === 2, { what: "the background refresh" });
    advance(400);
    // Refreshed at 600: good until 1600, so still remembered at 1000 without a new question.
    expect(a.cached(key)).toEqual(caller);
    expect(auth.calls() - calls).toBe(2);
  });

  it("forgets a revoked key at its next refresh, and never uses one past the cache time", async () => {
    const { authenticator: a, advance } = authenticator(1_000);
    const key = auth.apiKey();
    await a.verify(key);
    auth.revoke(key);
    advance(600);
    expect(a.cached(key)).toBeDefined();
    await waitFor(() => a.cached(key) === undefined, { what: "the revoked key to be forgotten" });
    await expect(a.verify(key)).rejects.toMatchObject({ data: { appCode: "UNAUTHENTICATED" } });

    const other = auth.apiKey();
    await a.verify(other);
    advance(1_000);
    expect(a.cached(other)).toBeUndefined();
  });

  it("refuses a value that cannot be a Dogi credential without asking auth", async () => {
    const { authenticator: a } = authenticator(1_000);
    const calls = auth.calls();
    for (const junk of ["x".repeat(4096), "dogi_short", "a.b.c"])
      await expect(a.verify(junk)).rejects.toMatchObject({
        appCode: "UNAUTHENTICATED",
        message: expect.stringMatching(/not a Dogi access token or API key/),
      });
    expect(auth.calls()).toBe(calls);
    // A well-shaped one is still asked about.
    await expect(a.verify(auth.accessToken())).resolves.toMatchObject({ kind: "user" });
    expect(auth.calls()).toBe(calls + 1);
  });

  it("never re-remembers a credential revoked while its background refresh was in flight", async () => {
    // Auth's answers are held here so that the revocation lands exactly between the refresh's
    // question and its (stale) answer.
    const pending: Array<(answer: { userId: string; scopes: string[] }) => void> = [];
    let asked = 0;
    const stub = {
      auth: {
        apiKeys: {
          verify: {
            mutate: () => {
              asked += 1;
              return new Promise((resolve) => pending.push(resolve));
            },
          },
        },
      },
    } as unknown as Pick<ServiceClients, "auth">;
    let now = 1_000_000;
    const a = new Authenticator(stub, 1_000, () => now);
    const valid = { userId: "u1", apiKeyId: "k1", scopes: ["inference"] };
    const key = `dogi_${"k".repeat(43)}`;

    const first = a.verify(key);
    pending.shift()?.(valid);
    await first;
    now += 600;
    expect(a.cached(key)).toBeDefined(); // starts the background refresh
    expect(asked).toBe(2);
    a.forgetUser("u1"); // e.g. logout-all or the key revoked through the gateway
    expect(a.cached(key)).toBeUndefined();
    pending.shift()?.(valid); // the refresh's answer was computed before the revocation
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.cached(key)).toBeUndefined();

    // A first verification racing a revocation serves its own request but is not remembered.
    const racing = a.verify(key);
    a.forgetUser("u1");
    pending.shift()?.(valid);
    await expect(racing).resolves.toMatchObject({ userId: "u1" });
    expect(a.cached(key)).toBeUndefined();
    // Another user's revocation does not stop this one's credential from being remembered.
    const later = a.verify(key);
    a.forgetUser("someone-else");
    pending.shift()?.(valid);
    await later;
    expect(a.cached(key)).toBeDefined();
    expect(asked).toBe(4);
  });
});
