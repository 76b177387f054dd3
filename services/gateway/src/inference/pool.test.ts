import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import { waitFor } from "@dogi/testing";
import { deadReplicaUrl, startReplica } from "../testing/replica.ts";
import type { ReplicaMode, TestReplica } from "../testing/replica.ts";
import { InferencePool, NoReplicaError } from "./pool.ts";

const logger = createLogger({ service: "gateway", level: "silent" });
const replicas: TestReplica[] = [];
const pools: InferencePool[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) pool.stop();
  await Promise.all(replicas.splice(0).map((r) => r.close()));
});

async function replicasOf(...modes: ReplicaMode[]): Promise<TestReplica[]> {
  const started = await Promise.all(modes.map((mode, i) => startReplica(`r${i}`, mode)));
  replicas.push(...started);
  return started;
}

function poolOf(urls: string[], healthIntervalMs = 60_000): InferencePool {
  const pool = new InferencePool(urls, { logger, healthIntervalMs });
  pools.push(pool);
  return pool;
}

const body = (stream = false) =>
  Buffer.from(
    JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }], stream }),
  );

/** One chat completion through the pool, read to its end. */
async function complete(pool: InferencePool, stream = false) {
  const { response, replicaUrl } = await pool.request({
    method: "POST",
    path: "/v1/chat/completions",
    headers: { "content-type": "application/json" },
    body: body(stream),
  });
  let text = "";
  for await (const part of response) text += (part as Buffer).toString("utf8");
  return { replicaUrl, status: response.statusCode, text };
}

describe("InferencePool", () => {
  it("sends each request to the replica with the fewest requests outstanding", async () => {
    const [a, b, c] = await replicasOf("hold", "hold", "hold");
    if (!a || !b || !c) throw new Error("replicas did not start");
    const pool = poolOf([a.url, b.url, c.url]);

    const first = complete(pool);
    await waitFor(() => a.received.length === 1, { what: "a to get the first request" });
    const second = complete(pool);
    await waitFor(() => b.received.length === 1, { what: "b to get the second request" });
    const third = complete(pool);
    await waitFor(() => c.received.length === 1, { what: "c to get the third request" });
    expect(pool.snapshot().map((r) => r.outstanding)).toEqual([1, 1, 1]);

    // b finishes; a and c are still busy, so b is the least loaded and takes the next two.
    b.release();
    expect((await second).replicaUrl).toBe(b.url);
    await waitFor(() => pool.snapshot()[1]?.outstanding === 0, { what: "b's answer to be read" });
    const fourth = complete(pool);
    await waitFor(() => b.received.length === 2, { what: "b to get the fourth request" });
    const fifth = complete(pool);
    // With b at one again, the tie goes to the first listed replica: a.
    await waitFor(() => a.received.length === 2, { what: "a to get the fifth request" });
    expect(pool.snapshot().map((r) => r.outstanding)).toEqual([2, 1, 1]);
    expect(c.received).toHaveLength(1);

    for (const replica of [a, b, c]) replica.mode = "ok";
    for (const replica of [a, b, c]) replica.release();
    const answers = await Promise.all([first, third, fourth, fifth]);
    expect(answers.map((x) => x.replicaUrl)).toEqual([a.url, c.url, b.url, a.url]);
    expect(answers.every((x) => x.status === 200)).toBe(true);
    expect(pool.snapshot().map((r) => r.outstanding)).toEqual([0, 0, 0]);
  });

  it("ejects a replica whose health probe fails and takes it back once it passes", async () => {
    const [a, b] = await replicasOf("ok", "ok");
    if (!a || !b) throw new Error("replicas did not start");
    const pool = poolOf([a.url, b.url], 50);
    pool.start();

    a.healthy = false;
    await waitFor(() => pool.snapshot()[0]?.healthy === false, { what: "a to be ejected" });
    for (let i = 0; i < 3; i++) expect((await complete(pool)).replicaUrl).toBe(b.url);
    expect(a.received).toHaveLength(0);

    a.healthy = true;
    await waitFor(() => pool.snapshot()[0]?.healthy === true, { what: "a to be taken back" });
    // Idle replicas tie; the first listed wins, so a is used again.
    expect((await complete(pool)).replicaUrl).toBe(a.url);
    expect(a.probes).toBeGreaterThanOrEqual(2);
  });

  it("retries a refused connection on another replica and ejects the dead one", async () => {
    const dead = await deadReplicaUrl();
    const [b] = await replicasOf("ok");
    if (!b) throw new Error("replica did not start");
    const pool = poolOf([dead, b.url]);

    const answer = await complete(pool);
    expect(answer).toMatchObject({ replicaUrl: b.url, status: 200 });
    expect(JSON.parse(answer.text).choices[0].message.content).toBe("hi from r0");
    expect(pool.snapshot()[0]).toMatchObject({ healthy: false, outstanding: 0 });
    // Ejected: the next request goes straight to the live replica.
    expect((await complete(pool)).replicaUrl).toBe(b.url);
    expect(b.received).toHaveLength(2);
  });

  it("retries a replica that answers 503 or resets before any byte, on another one", async () => {
    const [busy, reset, ok] = await replicasOf("busy", "reset", "ok");
    if (!busy || !reset || !ok) throw new Error("replicas did not start");
    const pool = poolOf([busy.url, reset.url, ok.url]);

    const answer = await complete(pool);
    expect(answer).toMatchObject({ replicaUrl: ok.url, status: 200 });
    expect([busy.received.length, reset.received.length, ok.received.length]).toEqual([1, 1, 1]);
    // The same body reached every replica tried.
    expect(new Set([busy, reset, ok].map((r) => r.received[0]?.body))).toEqual(
      new Set([body().toString("utf8")]),
    );
    // A full queue is not a dead replica; a reset connection is.
    expect(pool.snapshot().map((r) => r.healthy)).toEqual([true, false, true]);
    expect(pool.snapshot().every((r) => r.outstanding === 0)).toBe(true);
  });

  it("passes the last replica's 503 on when every replica is busy", async () => {
    const [a, b] = await replicasOf("busy", "busy");
    if (!a || !b) throw new Error("replicas did not start");
    const pool = poolOf([a.url, b.url]);
    const answer = await complete(pool);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text).error.message).toBe("queue full");
    expect(a.received.length + b.received.length).toBe(2);
  });

  it("never retries once the answer started: a stream cut mid-way fails, and no other replica runs it", async () => {
    const [cut, spare] = await replicasOf("cut", "ok");
    if (!cut || !spare) throw new Error("replicas did not start");
    const pool = poolOf([cut.url, spare.url]);
    const { response, replicaUrl } = await pool.request({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      body: body(true),
    });
    expect(replicaUrl).toBe(cut.url);
    let text = "";
    await expect(
      (async () => {
        for await (const part of response) text += (part as Buffer).toString("utf8");
      })(),
    ).rejects.toThrow(/aborted|reset|socket/i);
    expect(text).toContain("partial");
    expect(spare.received).toHaveLength(0);
    await waitFor(() => pool.snapshot()[0]?.outstanding === 0, { what: "the cut request to end" });
  });

  it("names every replica tried when none answers", async () => {
    const urls = [await deadReplicaUrl(), await deadReplicaUrl()];
    const pool = poolOf(urls);
    const error = await complete(pool).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoReplicaError);
    expect((error as NoReplicaError).tried.sort()).toEqual([...urls].sort());
    expect(pool.snapshot().every((r) => !r.healthy)).toBe(true);
  });
});
