import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api } from "../testing/api.ts";
import { startAuthGateway } from "../testing/auth-gateway.ts";

// The real gateway in front of the real auth service; every request between them is recorded.
let stack: Awaited<ReturnType<typeof startAuthGateway>>;
beforeAll(async () => {
  // Every request verifies its credential: none is answered from the gateway's memory.
  stack = await startAuthGateway({ env: { GATEWAY_AUTH_CACHE_MS: "0" } });
});
afterAll(async () => {
  await stack?.close();
});

const me = (token: string) =>
  fetch(`${stack.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });

/** A token of the right shape, signed with a key auth does not have: auth must refuse it. */
function forged(padding = 0): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "at+jwt" })}.${part({ sub: randomUUID(), pad: "p".repeat(padding) })}`;
  return `${body}.${createHmac("sha256", randomBytes(32)).update(body).digest("base64url")}`;
}

const verifications = () =>
  stack.authRequests.filter((r) => /tokens\.verifyAccess|apiKeys\.verify/.test(r.url));

describe("credential checks at the gateway", () => {
  it("answers a valid token 200 and two 4,096-character junk bearers sent in the same tick 401", async () => {
    const api = new Api(stack.url);
    await api.register();
    const valid = api.token ?? "";
    const before = verifications().length;
    const junk = [0, 1].map(() => randomBytes(3072).toString("base64url").slice(0, 4096));
    const [first, good, second] = await Promise.all([
      me(junk[0] ?? ""),
      me(valid),
      me(junk[1] ?? ""),
    ]);
    expect(good.status).toBe(200);
    expect(((await good.json()) as { email: string }).email).toMatch(/@example\.com$/);
    for (const refused of [first, second]) {
      expect(refused.status).toBe(401);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("UNAUTHENTICATED");
      expect(body.error.message).toMatch(/not a Dogi access token or API key/);
    }
    // Junk never reached auth: only the valid token was verified.
    const asked = verifications().slice(before);
    expect(asked.map((r) => JSON.parse(r.body) as unknown)).toEqual([{ token: valid }]);
    for (const request of stack.authRequests)
      for (const value of junk) expect(`${request.url} ${request.body}`).not.toContain(value);
  });

  it("keeps a valid token's check apart from well-shaped forgeries that auth itself refuses", async () => {
    const api = new Api(stack.url);
    await api.register();
    const valid = api.token ?? "";
    const before = verifications().length;
    const forgeries = Array.from({ length: 8 }, () => forged(600));
    const answers = await Promise.all([
      ...forgeries.slice(0, 4).map(me),
      me(valid),
      ...forgeries.slice(4).map(me),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 200, 401, 401, 401, 401]);
    // Each was asked about on its own, never in one request with another caller's check.
    const asked = verifications().slice(before);
    expect(asked).toHaveLength(9);
    for (const request of asked) expect(request.url).not.toContain("batch");
  });

  it("sends tokens and API keys to auth in POST bodies, never in a URL", async () => {
    const api = new Api(stack.url);
    await api.register();
    const token = api.token ?? "";
    const created = await api.createApiKey("script", ["inference"]);
    expect(created.status).toBe(201);
    const key = created.json.secret as string;
    const before = verifications().length;
    expect((await me(token)).status).toBe(200);
    // The OpenAI-compatible door verifies the key before it looks for a model.
    const models = await fetch(`${stack.url}/v1/models`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(models.status).not.toBe(401);

    const asked = verifications().slice(before);
    expect(asked.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /trpc/tokens.verifyAccess",
      "POST /trpc/apiKeys.verify",
    ]);
    expect(JSON.parse(asked[0]?.body ?? "{}")).toEqual({ token });
    expect(JSON.parse(asked[1]?.body ?? "{}")).toEqual({ key });
    // Nothing the gateway sent auth carries either credential in its URL.
    const signature = token.slice(token.lastIndexOf(".") + 1);
    for (const request of stack.authRequests) {
      expect(request.url).not.toContain(signature);
      expect(request.url).not.toContain(key.slice(5));
    }
  });

  it("sends sign-ups, sign-ins and refreshes at the same moment each in a request of its own", async () => {
    const api = new Api(stack.url);
    const account = await api.register();
    const before = stack.authRequests.length;
    const answers = await Promise.all([
      new Api(stack.url).call("POST", "/v1/auth/register", {
        email: `n-${randomUUID().slice(0, 8)}@example.com`,
        password: "correct horse battery",
      }),
      api.call("POST", "/v1/auth/login", { email: account.email, password: account.password }),
      api.call("POST", "/v1/auth/refresh", { refresh_token: account.refresh }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([201, 200, 200]);
    const sent = stack.authRequests
      .slice(before)
      .filter((r) => /account\.register|tokens\.(issue|refresh)/.test(r.url));
    expect(sent.map((r) => r.url).sort()).toEqual([
      "/trpc/account.register",
      "/trpc/tokens.issue",
      "/trpc/tokens.refresh",
    ]);
  });
});
