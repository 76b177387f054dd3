import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { requireServer, startRedis, waitFor } from "@dogi/testing";
import type { RedisServer } from "@dogi/testing";
import { connectRedis } from "../redis.ts";
import type { RedisConnections } from "../redis.ts";
import type { LimiterFactory } from "./rate-limiter.ts";
import { memoryLimiters } from "./rate-limiter.ts";
import { redisLimiters } from "./redis-limiters.ts";
import { capturedLogger } from "../testing/captured-logger.ts";

// One behaviour for every store: the same suite in memory and against a real redis-server.
// What needs a clock (windows running out) is in rate-limiter.test.ts, with a fake one.

function limiterContract(factory: () => LimiterFactory) {
  // Fresh names: one Redis serves the whole file.
  const limiter = (perMinute: number) => factory()(`test-${randomUUID()}`, perMinute);

  it("allows a minute's allowance at once, then says how long until the minute is over", async () => {
    const a = limiter(5);
    for (let i = 0; i < 5; i++) expect(await a.take("k")).toEqual({ ok: true });
    const refused = await a.take("k");
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    expect(await a.take("other")).toEqual({ ok: true });
    // Another limiter of the same allowance counts on its own.
    expect(await limiter(5).take("k")).toEqual({ ok: true });
  });

  it("checks without taking, and says no once nothing is left", async () => {
    const a = limiter(2);
    for (let i = 0; i < 5; i++) expect(await a.check("k")).toEqual({ ok: true });
    expect(await a.take("k", 2)).toEqual({ ok: true });
    expect((await a.check("k")).ok).toBe(false);
    expect((await a.take("k")).ok).toBe(false);
  });

  it("leaves room for small costs when a large one is refused", async () => {
    const a = limiter(10);
    expect(await a.take("k", 8)).toEqual({ ok: true });
    expect((await a.take("k", 5)).ok).toBe(false);
    expect(await a.take("k", 2)).toEqual({ ok: true });
    expect((await a.take("k")).ok).toBe(false);
  });

  it("adds a cost known afterwards, within the allowance, without refusing", async () => {
    const a = limiter(10);
    await a.charge("k", 4);
    expect(await a.check("k")).toEqual({ ok: true });
    expect(await a.take("k", 6)).toEqual({ ok: true });
    expect((await a.take("k")).ok).toBe(false);
  });

  it("keeps an overdrawn key refused past its minute for as long as the excess takes to earn", async () => {
    const a = limiter(600);
    // 1200 tokens on a 600-a-minute allowance: this minute, and one more for the excess.
    await a.charge("twice", 1200);
    const twice = await a.check("twice");
    expect(twice.ok ? 0 : twice.retryAfterSeconds).toBeGreaterThanOrEqual(119);
    expect(twice.ok ? 0 : twice.retryAfterSeconds).toBeLessThanOrEqual(120);
    expect((await a.take("twice")).ok).toBe(false);
    // 300 over: half a minute more.
    await a.charge("half", 900);
    const half = await a.check("half");
    expect(half.ok ? 0 : half.retryAfterSeconds).toBeGreaterThanOrEqual(89);
    expect(half.ok ? 0 : half.retryAfterSeconds).toBeLessThanOrEqual(90);
  });

  it("gives points back on a negative charge, never beyond a minute's allowance", async () => {
    const a = limiter(3);
    for (let i = 0; i < 3; i++) expect(await a.take("k")).toEqual({ ok: true });
    await a.charge("k", -2);
    expect(await a.take("k")).toEqual({ ok: true });
    expect(await a.take("k")).toEqual({ ok: true });
    expect((await a.take("k")).ok).toBe(false);

    await a.charge("fresh", -5);
    for (let i = 0; i < 3; i++) expect(await a.take("fresh")).toEqual({ ok: true });
    expect((await a.take("fresh")).ok).toBe(false);
  });
}

describe("in-memory limiters", () => {
  limiterContract(() => memoryLimiters());
});

const gate = requireServer("redis");

describe.skipIf(gate.skip)(gate.title("Redis limiters"), () => {
  let server: RedisServer;
  let redis: RedisConnections;
  const { logger, lines } = capturedLogger();

  beforeAll(async () => {
    server = await startRedis();
    redis = connectRedis(server.url, logger);
    // Before it is ready every limiter would answer from its in-memory insurance instead.
    await waitFor(() => redis.commands.status === "ready", { what: "the Redis connection" });
  });
  afterEach(async () => {
    // Each answer came from Redis, not from the insurance, and Redis holds the counters.
    expect(lines).toEqual([]);
    expect((await redis.commands.keys("dogi:limit:test-*")).length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    redis?.close();
    await server?.stop();
  });

  limiterContract(() => redisLimiters(redis.commands, { logger }));
});
