import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import { requireServer, startRedis, waitFor } from "@dogi/testing";
import type { RedisServer } from "@dogi/testing";
import { testServiceClients } from "../testing/service-clients.ts";
import { connectRedis } from "../redis.ts";
import type { RedisConnections } from "../redis.ts";
import { startFakeAuth } from "../testing/fake-auth.ts";
import type { FakeAuth } from "../testing/fake-auth.ts";
import { Authenticator } from "./authenticator.ts";
import { shareRevocations } from "./revocations.ts";

const gate = requireServer("redis");
const logger = createLogger({ service: "gateway", level: "silent" });

describe.skipIf(gate.skip)(gate.title("revocations shared through Redis"), () => {
  let auth: FakeAuth;
  let server: RedisServer;
  const connections: RedisConnections[] = [];

  beforeAll(async () => {
    auth = await startFakeAuth();
    server = await startRedis();
  });
  afterAll(async () => {
    for (const redis of connections) redis.close();
    await server?.stop();
    await auth?.close();
  });

  /** One replica's authenticator, remembering credentials for a minute. */
  function authenticator() {
    return new Authenticator(testServiceClients({ AUTH_URL: auth.url }, 5_000), 60_000);
  }

  async function replica() {
    const redis = connectRedis(server.url, logger);
    connections.push(redis);
    const cache = authenticator();
    const revocations = shareRevocations({ authenticator: cache, redis, logger });
    await revocations.subscribed;
    return { cache, revocations };
  }

  it("drops a user's remembered credentials on every replica within a second", async () => {
    const one = await replica();
    const two = await replica();
    const alone = authenticator();
    const key = auth.apiKey();
    const userId = auth.userOf(key) ?? "";
    for (const cache of [one.cache, two.cache, alone]) await cache.verify(key);
    auth.revoke(key);

    const revoked = performance.now();
    one.revocations.forgetUser(userId);
    expect(one.cache.cached(key)).toBeUndefined();
    await waitFor(() => two.cache.cached(key) === undefined, {
      what: "the other replica to forget the key",
      timeoutMs: 1_000,
      intervalMs: 10,
    });
    expect(performance.now() - revoked).toBeLessThan(1_000);
    await expect(two.cache.verify(key)).rejects.toThrow(/not valid/);
    // A replica that does not share revocations still trusts the key from its cache.
    expect(alone.cached(key)?.userId).toBe(userId);
  });

  it("forgets only the revoked user's credentials on the other replicas", async () => {
    const one = await replica();
    const two = await replica();
    const kept = auth.apiKey();
    const dropped = auth.apiKey();
    for (const key of [kept, dropped]) await two.cache.verify(key);
    one.revocations.forgetUser(auth.userOf(dropped) ?? "");
    await waitFor(() => two.cache.cached(dropped) === undefined, {
      what: "the other replica to forget the key",
      timeoutMs: 1_000,
      intervalMs: 10,
    });
    expect(two.cache.cached(kept)?.token).toBe(kept);
  });
});
