import { describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import { testSigner, waitFor } from "@dogi/testing";
import { deadReplicaUrl, startReplica } from "../testing/replica.ts";
import type { ReplicaMode, TestReplica } from "../testing/replica.ts";
import { stoppedAfterEach } from "../testing/stopped-after-each.ts";
import { InferencePool, NoReplicaError, affinityOf } from "./pool.ts";

const logger = createLogger({ service: "gateway", level: "silent" });
const { replicas, pools } = stoppedAfterEach();

async function replicasOf(...modes: ReplicaMode[]): Promise<TestReplica[]> {
  const started = await Promise.all(modes.map((mode, i) => startReplica(`r${i}`, mode)));
  replicas.push(...started);
  return started;
}

function poolOf(urls: string[], healthIntervalMs = 60_000): InferencePool {
  const pool = new InferencePool(urls, {
    logger,
    healthIntervalMs,
    headersTimeoutMs: 30_000,
    idleTimeoutMs: 30_000,
    credential: () => testSigner().credentialFor("inference"),
  });
  pools.push(pool);
  return pool;
}

/** A chat completion request saying "hi" to the default model, as the gateway forwards one. */
const chatRequest = (stream = false) => ({
  method: "POST",
  path: "/v1/chat/completions",
  headers: { "content-type": "application/json" },
  body: Buffer.from(
    JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }], stream }),
  ),
});

interface Answer {
  replicaUrl: string;
  status: number | undefined;
  text: string;
}

/**
 * One chat completion through `request` (the chat turn's path: `proxy` with the body as a
 * stream), read to its end; a failure after the start rejects with an error carrying the text
 * received until then.
 */
async function requested(pool: InferencePool, stream = false): Promise<Answer> {
  const { statusCode, body: answer, replicaUrl } = await pool.request(chatRequest(stream));
  let text = "";
  try {
    for await (const part of answer) text += (part as Buffer).toString("utf8");
  } catch (error) {
    throw Object.assign(error as Error, { text });
  }
  return { replicaUrl, status: statusCode, text };
}

/** The same through `proxy` (callbacks, the OpenAI door's path). */
function proxied(pool: InferencePool, stream = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let text = "";
    let start: { replicaUrl: string; status: number } | undefined;
    pool.proxy(chatRequest(stream), {
      onStart: (status, _headers, replicaUrl) => (start = { status, replicaUrl }),
      onData: (chunk) => {
        text += chunk.toString("utf8");
        return true;
      },
      onEnd: () => {
        if (!start) reject(new Error("ended before it started"));
        else resolve({ ...start, text });
      },
      onError: (error) => reject(Object.assign(error, { text })),
      onUnavailable: reject,
    });
  });
}

// Both ways through the pool keep the same rules: the chat turn's (request) and the door's (proxy).
describe.each([
  { via: "request", complete: requested },
  { via: "proxy", complete: proxied },
])("InferencePool ($via)", ({ complete }) => {
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
      new Set([chatRequest().body.toString("utf8")]),
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
    const error = (await complete(pool, true).catch((e: unknown) => e)) as Error & {
      text?: string;
    };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/aborted|reset|socket|closed/i);
    expect(error.text).toContain("partial");
    expect(spare.received).toHaveLength(0);
    await waitFor(() => pool.snapshot()[0]?.outstanding === 0, { what: "the cut request to end" });
  });
});

describe("InferencePool (request)", () => {
  it("aborting the signal mid-answer closes the upstream connection and fails the body with the reason", async () => {
    const [slow] = await replicasOf("slow");
    if (!slow) throw new Error("replica did not start");
    const pool = poolOf([slow.url]);
    const controller = new AbortController();
    const { statusCode, body: answer } = await pool.request({
      ...chatRequest(true),
      signal: controller.signal,
    });
    expect(statusCode).toBe(200);
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const part of answer) {
        chunks.push((part as Buffer).toString("utf8"));
        controller.abort(new Error("the client left"));
      }
    })();
    await expect(reading).rejects.toThrow("the client left");
    expect(chunks).toHaveLength(1);
    await waitFor(() => slow.abandoned === 1, { what: "the replica to see the client leave" });
    await waitFor(() => pool.snapshot()[0]?.outstanding === 0, { what: "the call to be released" });
    expect(pool.snapshot()[0]?.healthy).toBe(true);
  });

  it("rejects with the reason when the signal aborts before the answer starts", async () => {
    const [hold] = await replicasOf("hold");
    if (!hold) throw new Error("replica did not start");
    const pool = poolOf([hold.url]);
    const controller = new AbortController();
    const answer = pool.request({
      ...chatRequest(),
      signal: controller.signal,
    });
    await waitFor(() => hold.received.length === 1, { what: "the replica to get the request" });
    controller.abort(new Error("shutting down"));
    await expect(answer).rejects.toThrow("shutting down");
    await waitFor(() => pool.snapshot()[0]?.outstanding === 0, { what: "the call to be released" });
    hold.release();
  });
});

describe("InferencePool (proxy)", () => {
  it("aborting a call closes its upstream connection, and the sink hears nothing more", async () => {
    const [slow] = await replicasOf("slow");
    if (!slow) throw new Error("replica did not start");
    const pool = poolOf([slow.url]);
    const events: string[] = [];
    const call = pool.proxy(chatRequest(true), {
      onStart: () => events.push("start"),
      onData: () => {
        events.push("data");
        return true;
      },
      onEnd: () => events.push("end"),
      onError: () => events.push("error"),
      onUnavailable: () => events.push("unavailable"),
    });
    await waitFor(() => events.includes("data"), { what: "the first chunk" });
    call.abort();
    await waitFor(() => slow.abandoned === 1, { what: "the replica to see the client leave" });
    await waitFor(() => pool.snapshot()[0]?.outstanding === 0, { what: "the call to be released" });
    expect(events.filter((e) => e !== "data")).toEqual(["start"]);
    expect(pool.snapshot()[0]?.healthy).toBe(true);
  });

  it("pauses an answer the sink cannot take yet, and resumes it on request", async () => {
    const [slow] = await replicasOf("slow");
    if (!slow) throw new Error("replica did not start");
    slow.slow = { chunks: 4, intervalMs: 20 };
    const pool = poolOf([slow.url]);
    let chunks = 0;
    let ended = false;
    const call = pool.proxy(chatRequest(true), {
      onStart: () => undefined,
      // Refuses more after the first chunk, as a client socket whose buffer is full does.
      onData: () => ++chunks > 1,
      onEnd: () => (ended = true),
      onError: () => undefined,
      onUnavailable: () => undefined,
    });
    await waitFor(() => chunks >= 1, { what: "the first chunk" });
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The replica wrote everything by now; none of it reached the paused sink.
    expect(chunks).toBe(1);
    expect(ended).toBe(false);
    call.resume();
    await waitFor(() => ended, { what: "the answer to end after resume" });
    expect(chunks).toBeGreaterThan(1);
  });
});

describe("InferencePool", () => {
  it("names every replica tried when none answers", async () => {
    const urls = [await deadReplicaUrl(), await deadReplicaUrl()];
    const pool = poolOf(urls);
    for (const complete of [requested, proxied]) {
      const error = await complete(pool).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoReplicaError);
      expect((error as NoReplicaError).tried.sort()).toEqual([...urls].sort());
    }
    expect(pool.snapshot().every((r) => !r.healthy)).toBe(true);
  });
});

describe("InferencePool (affinity)", () => {
  /** One request with `affinity`, read to its end; resolves with the replica that answered. */
  async function keyed(pool: InferencePool, affinity: string): Promise<string> {
    const answer = await pool.request({
      ...chatRequest(),
      affinity: affinityOf("u1", affinity),
    });
    for await (const _part of answer.body) {
      // Read to the end: the replica's outstanding count waits for it.
    }
    return answer.replicaUrl;
  }

  it("sends a key to the same replica, spreads keys, and moves only a dead replica's keys", async () => {
    const started = await replicasOf("ok", "ok", "ok");
    const pool = poolOf(started.map((r) => r.url));
    const keys = Array.from({ length: 12 }, (_, i) => `session:${i}`);
    const home = new Map<string, string>();
    for (const key of keys) home.set(key, await keyed(pool, key));
    for (const key of keys)
      for (let i = 0; i < 2; i++) expect(await keyed(pool, key)).toBe(home.get(key));
    expect(new Set(home.values()).size).toBeGreaterThan(1);

    const down = started.find((r) => r.url === home.get("session:0"));
    if (!down) throw new Error("no home replica");
    await down.close();
    const moved = await keyed(pool, "session:0");
    expect(moved).not.toBe(down.url);
    expect(pool.snapshot().find((r) => r.url === down.url)?.healthy).toBe(false);
    for (const key of keys) {
      const now = await keyed(pool, key);
      // Keys of the live replicas stay; the dead one's go to one other replica each, and stay.
      if (home.get(key) !== down.url) expect(now).toBe(home.get(key));
      else expect(await keyed(pool, key)).toBe(now);
    }
    expect(await keyed(pool, "session:0")).toBe(moved);
  });

  it("sends a key elsewhere while its replica is much busier than the least busy one", async () => {
    const started = await replicasOf("ok", "ok");
    const pool = poolOf(started.map((r) => r.url));
    const ownerUrl = await keyed(pool, "k");
    const home = started.find((r) => r.url === ownerUrl);
    const other = started.find((r) => r.url !== ownerUrl);
    if (!home || !other) throw new Error("replicas did not start");
    home.mode = "hold";
    const held = Array.from({ length: 4 }, () => keyed(pool, "k"));
    await waitFor(() => home.received.length === 5, {
      what: "four held requests on the key's replica",
    });
    expect(await keyed(pool, "k")).toBe(other.url);
    home.mode = "ok";
    home.release();
    expect(await Promise.all(held)).toEqual(Array.from({ length: 4 }, () => home.url));
  });
});
