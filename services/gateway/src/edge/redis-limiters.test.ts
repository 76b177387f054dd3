import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { requireServer, startRedis, waitFor } from "@dogi/testing";
import type { RedisServer } from "@dogi/testing";
import { connectRedis } from "../redis.ts";
import type { RedisConnections } from "../redis.ts";
import { redisLimiters } from "./redis-limiters.ts";
import { capturedLogger } from "../testing/captured-logger.ts";

const gate = requireServer("redis");

describe.skipIf(gate.skip)(gate.title("Redis limiters across replicas and outages"), () => {
  let server: RedisServer;
  const connections: RedisConnections[] = [];
  const { logger, lines } = capturedLogger();

  /** One replica's connection, once ready (before that its limiters answer from memory). */
  async function replica() {
    const redis = connectRedis(server.url, logger);
    connections.push(redis);
    await waitFor(() => redis.commands.status === "ready", { what: "the Redis connection" });
    return { redis, limiter: redisLimiters(redis.commands, { logger }) };
  }

  beforeAll(async () => {
    server = await startRedis();
  });
  afterEach(() => {
    for (const redis of connections.splice(0)) redis.close();
    lines.splice(0);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("counts every replica's requests against one allowance", async () => {
    const one = (await replica()).limiter("user", 3);
    const two = (await replica()).limiter("user", 3);
    expect(await one.take("u1")).toEqual({ ok: true });
    expect(await two.take("u1")).toEqual({ ok: true });
    expect(await one.take("u1")).toEqual({ ok: true });
    expect((await two.take("u1")).ok).toBe(false);
    expect((await one.check("u1")).ok).toBe(false);
    // An overdraw charged on one replica refuses on the other.
    await one.charge("u2", 10);
    expect((await two.take("u2")).ok).toBe(false);
  });

  it("limits each replica on its own while Redis is away, and shares again once it is back", async () => {
    const { redis, limiter } = await replica();
    const user = limiter("user", 2);
    const port = server.port;
    await server.stop();
    await waitFor(() => redis.commands.status !== "ready", { what: "the connection to drop" });

    const started = performance.now();
    expect(await user.take("u")).toEqual({ ok: true });
    // Answered at once from memory, not after a command waited out its 300 ms timeout.
    expect(performance.now() - started).toBeLessThan(250);
    expect(await user.take("u")).toEqual({ ok: true });
    expect((await user.take("u")).ok).toBe(false);
    expect(lines.map((line) => line.msg)).toContain(
      "Redis is unreachable: rate limits are kept per replica until it answers again",
    );

    server = await startRedis({ port });
    await waitFor(() => redis.commands.status === "ready", {
      what: "the connection to come back",
      timeoutMs: 10_000,
    });
    // A fresh Redis knows nothing of the outage: the key has its allowance, counted in Redis.
    expect(await user.take("u")).toEqual({ ok: true });
    expect(await redis.commands.get("dogi:limit:user:u")).toBe("1");
    expect(lines.map((line) => line.msg)).toContain(
      "Redis answers again: rate limits are shared by every replica",
    );
  });

  it("answers within the command timeout when Redis stops answering mid-connection", async () => {
    const { redis, limiter } = await replica();
    const user = limiter("user", 5);
    expect(await user.take("hung")).toEqual({ ok: true });
    // Frozen, not gone: the connection stays up and commands go unanswered.
    process.kill(server.pid, "SIGSTOP");
    try {
      const started = performance.now();
      expect(await user.take("hung")).toEqual({ ok: true });
      expect(performance.now() - started).toBeLessThan(1_000);
      // The insurance answered: the connection looked fine, the command timed out.
      expect(redis.commands.status).toBe("ready");
      expect(lines.map((line) => line.msg)).toContain(
        "Redis is unreachable: rate limits are kept per replica until it answers again",
      );
    } finally {
      process.kill(server.pid, "SIGCONT");
    }
  });
});
