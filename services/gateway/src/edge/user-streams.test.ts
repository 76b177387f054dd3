import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import { requireServer, startRedis, waitFor } from "@dogi/testing";
import type { RedisServer } from "@dogi/testing";
import { AppError } from "@dogi/trpc";
import { connectRedis } from "../redis.ts";
import type { RedisConnections } from "../redis.ts";
import { LocalUserStreams, sharedUserStreams } from "./user-streams.ts";
import type { UserStreams } from "./user-streams.ts";

const refusalOf = (streams: UserStreams, userId: string) =>
  streams.begin(userId).then(
    () => null,
    (error: unknown) => error,
  );

describe("LocalUserStreams", () => {
  it("refuses a user's answer beyond their share with 429, and counts each user apart", async () => {
    const streams = new LocalUserStreams(2);
    const first = await streams.begin("a");
    await streams.begin("a");
    const refused = await refusalOf(streams, "a");
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).appCode).toBe("RATE_LIMITED");
    expect((refused as AppError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await expect(streams.begin("b")).resolves.toBeTypeOf("function");
    first();
    first();
    expect(streams.count("a")).toBe(1);
    await expect(streams.begin("a")).resolves.toBeTypeOf("function");
  });
});

const gate = requireServer("redis");

describe.skipIf(gate.skip)(gate.title("answers per user across replicas (Redis)"), () => {
  let server: RedisServer;
  const connections: RedisConnections[] = [];
  const closers: Array<() => void> = [];
  const logger = createLogger({ service: "gateway", level: "silent" });

  /** One replica's count, once its connection is ready. */
  async function replica(perUser: number, leaseMs?: number) {
    const redis = connectRedis(server.url, logger);
    connections.push(redis);
    await waitFor(() => redis.commands.status === "ready", { what: "the Redis connection" });
    const streams = sharedUserStreams(redis.commands, perUser, {
      logger,
      ...(leaseMs ? { leaseMs } : {}),
    });
    closers.push(() => streams.close());
    return { redis, streams };
  }

  beforeAll(async () => {
    server = await startRedis();
  });
  afterEach(() => {
    for (const close of closers.splice(0)) close();
    for (const redis of connections.splice(0)) redis.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("holds a user to one share across replicas, each user apart, and frees a place on release", async () => {
    const one = (await replica(2)).streams;
    const two = (await replica(2)).streams;
    const first = await one.begin("u1");
    await two.begin("u1");
    const refused = await refusalOf(one, "u1");
    expect((refused as AppError).appCode).toBe("RATE_LIMITED");
    expect((await refusalOf(two, "u1")) as AppError).toBeInstanceOf(AppError);
    await expect(two.begin("u2")).resolves.toBeTypeOf("function");
    first();
    first();
    await waitFor(async () => (await refusalOf(two, "u1")) === null, {
      what: "the released place",
    });
  });

  it("forgets the answers of a replica that stopped renewing them within one lease, and keeps a live one's", async () => {
    const live = (await replica(1, 1_500)).streams;
    await live.begin("held");
    const dead = await replica(1, 1_500);
    await dead.streams.begin("orphaned");
    // The replica dies: no release, no renewal.
    dead.streams.close();
    dead.redis.close();
    const other = (await replica(1, 1_500)).streams;
    expect(await refusalOf(other, "orphaned")).toBeInstanceOf(AppError);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    // Past the lease: the dead replica's answer is gone, the live one's was renewed.
    expect(await refusalOf(other, "orphaned")).toBeNull();
    expect(await refusalOf(other, "held")).toBeInstanceOf(AppError);
  });

  it("counts per replica while Redis is away, and across replicas again once it is back", async () => {
    const { redis, streams } = await replica(1);
    await server.stop();
    await waitFor(() => redis.commands.status !== "ready", { what: "the lost connection" });
    const release = await streams.begin("u3");
    expect(await refusalOf(streams, "u3")).toBeInstanceOf(AppError);
    release();
    await expect(streams.begin("u3")).resolves.toBeTypeOf("function");
    server = await startRedis({ port: server.port });
    await waitFor(() => redis.commands.status === "ready", { what: "the reconnection" });
    const other = (await replica(1)).streams;
    await streams.begin("u4");
    expect(await refusalOf(other, "u4")).toBeInstanceOf(AppError);
  });
});
