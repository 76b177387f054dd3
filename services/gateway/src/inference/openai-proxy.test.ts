import { describe, expect, it } from "vitest";
import { waitFor } from "@dogi/testing";
import { fakeAuthForFile } from "../testing/auth-for-file.ts";
import { startTestGateway } from "../testing/gateway.ts";
import { startReplica } from "../testing/replica.ts";
import type { ReplicaMode, TestReplica } from "../testing/replica.ts";
import { capturedLogger } from "../testing/captured-logger.ts";

// The OpenAI-compatible door in this process, over real HTTP, in front of small
// OpenAI-compatible replicas; the end-to-end suite runs it against the real inference service.
const fake = fakeAuthForFile();
const { closers } = fake;

async function setUp(modes: ReplicaMode[], env: Record<string, string> = {}) {
  const replicas: TestReplica[] = [];
  for (const [i, mode] of modes.entries()) {
    const replica = await startReplica(`r${i}`, mode);
    replicas.push(replica);
    closers.push(() => replica.close());
  }
  const { logger, lines } = capturedLogger();
  const gateway = await startTestGateway({
    authUrl: fake.auth.url,
    inferenceUrls: replicas.map((r) => r.url),
    env,
    logger,
  });
  closers.push(() => gateway.close());
  return { url: gateway.url, replicas, lines, gateway };
}

const chat = (stream: boolean) =>
  JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }], stream });

function post(
  url: string,
  key: string,
  body: string | ReadableStream<Uint8Array>,
  signal?: AbortSignal,
) {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body,
    ...(typeof body === "string" ? {} : { duplex: "half" }),
    ...(signal ? { signal } : {}),
  } as RequestInit);
}

describe("the OpenAI-compatible proxy", () => {
  it("passes a completion through with its request id, and writes one access line", async () => {
    const { url, replicas, lines } = await setUp(["ok"]);
    const key = fake.auth.apiKey();
    const response = await post(url, key, chat(false));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe("hi from r0");
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toBeTruthy();
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(replicas[0]?.received[0]?.headers["x-request-id"]).toBe(requestId);
    // Forwarded as sent, with the operator's max_tokens ceiling when none was asked for, and the
    // user named for inference's fair queue.
    expect(JSON.parse(replicas[0]?.received[0]?.body ?? "{}")).toEqual({
      ...(JSON.parse(chat(false)) as object),
      max_tokens: 2048,
    });
    expect(replicas[0]?.received[0]?.headers["x-dogi-caller"]).toMatch(/\S/);
    await waitFor(() => lines.some((l) => l.msg === "access"), { what: "the access line" });
    expect(lines.filter((l) => l.msg === "access")).toEqual([
      expect.objectContaining({
        requestId,
        path: "/v1/chat/completions",
        status: 200,
        completed: true,
      }),
    ]);
  });

  it("streams chunks to the client as the replica writes them", async () => {
    const { url, replicas } = await setUp(["slow"]);
    const replica = replicas[0];
    if (!replica) throw new Error("no replica");
    replica.slow = { chunks: 4, intervalMs: 300 };
    const started = performance.now();
    const response = await post(url, fake.auth.apiKey(), chat(true));
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    // The first chunk arrives on its own, long before the replica finished (4 × 300 ms).
    expect(first.match(/chat\.completion\.chunk/g)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(900);
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest.match(/chat\.completion\.chunk/g)).toHaveLength(3);
    expect(rest).toContain("[DONE]");
  });

  it("retries a replica that refuses before the first byte, never one that failed after it", async () => {
    const before = await setUp(["busy", "ok"]);
    const answer = await post(before.url, fake.auth.apiKey(), chat(false));
    expect(answer.status).toBe(200);
    expect(before.replicas.map((r) => r.received.length)).toEqual([1, 1]);

    const after = await setUp(["cut", "ok"]);
    const response = await post(after.url, fake.auth.apiKey(), chat(true));
    expect(response.status).toBe(200);
    let text = "";
    await expect(
      (async () => {
        for await (const part of response.body as unknown as AsyncIterable<Uint8Array>)
          text += new TextDecoder().decode(part);
      })(),
    ).rejects.toThrow();
    // The client got the start of the answer and then a cut: the answer was not run twice.
    expect(text).toContain("partial");
    expect(text).not.toContain("[DONE]");
    expect(after.replicas.map((r) => r.received.length)).toEqual([1, 0]);
  });

  it("stops the generation upstream when the client leaves mid-stream", async () => {
    const { url, replicas, gateway } = await setUp(["slow"]);
    const replica = replicas[0];
    if (!replica) throw new Error("no replica");
    replica.slow = { chunks: 50, intervalMs: 50 };
    const controller = new AbortController();
    const response = await post(url, fake.auth.apiKey(), chat(true), controller.signal);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await waitFor(() => replica.abandoned === 1, { what: "the replica to see the gateway leave" });
    await waitFor(() => gateway.gateway.state.requests === 0, { what: "the request to close" });
  });

  it("answers 503 with Retry-After in OpenAI's shape when no replica is up", async () => {
    const { url, replicas } = await setUp(["ok"]);
    await replicas[0]?.close();
    const response = await post(url, fake.auth.apiKey(), chat(false));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toMatch(/model server is unavailable/);
  });

  it("refuses missing, unknown and unscoped credentials, and asks auth once per cached key", async () => {
    const { url, replicas } = await setUp(["ok"]);
    const none = await fetch(`${url}/v1/models`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/Bearer/);
    expect((await post(url, "dogi_unknown", chat(false))).status).toBe(401);
    expect((await post(url, fake.auth.apiKey(["chat"]), chat(false))).status).toBe(403);

    const key = fake.auth.apiKey();
    const calls = fake.auth.calls();
    for (let i = 0; i < 3; i++) expect((await post(url, key, chat(false))).status).toBe(200);
    expect(fake.auth.calls() - calls).toBe(1);
    expect(replicas[0]?.received).toHaveLength(3);
  });

  it("refuses a body over the limit with 413, declared or streamed", async () => {
    const { url, replicas } = await setUp(["ok"], { GATEWAY_OPENAI_BODY_LIMIT: "1kb" });
    const key = fake.auth.apiKey();
    const big = JSON.stringify({ model: "default", prompt: "x".repeat(2_000) });
    const declared = await post(url, key, big);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { message: string } }).error.message).toMatch(
      /larger than 1024 bytes/,
    );
    const encoder = new TextEncoder();
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++)
          controller.enqueue(encoder.encode(big.slice(i * 500, (i + 1) * 500)));
        controller.enqueue(encoder.encode(big.slice(2_000)));
        controller.close();
      },
    });
    expect((await post(url, key, chunked)).status).toBe(413);
    expect(replicas[0]?.received).toHaveLength(0);
    // A body within the limit still goes through.
    expect((await post(url, key, chat(false))).status).toBe(200);
  });
});

describe("prompt_cache_key at the door", () => {
  it("refuses a key that is not a string or is over 256 characters, with 400 saying so", async () => {
    const { url, replicas } = await setUp(["ok"]);
    for (const key of [42, { id: "x" }, "k".repeat(257)]) {
      const response = await post(
        url,
        fake.auth.apiKey(),
        JSON.stringify({ ...(JSON.parse(chat(false)) as object), prompt_cache_key: key }),
      );
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toBe(
        "prompt_cache_key must be a string of at most 256 characters.",
      );
    }
    expect(replicas[0]?.received).toHaveLength(0);
  });

  it("forwards a key as sent and sends its requests to one replica, even while it is busier", async () => {
    const { url, replicas } = await setUp(["hold", "hold", "hold"]);
    const key = fake.auth.apiKey();
    const cacheKey = "k".repeat(256);
    // At once: least outstanding alone would spread them over the three replicas.
    const answers = Array.from({ length: 3 }, () =>
      post(
        url,
        key,
        JSON.stringify({ ...(JSON.parse(chat(false)) as object), prompt_cache_key: cacheKey }),
      ).then((response) => response.json() as Promise<{ model: string }>),
    );
    await waitFor(() => replicas.reduce((n, r) => n + r.received.length, 0) === 3, {
      what: "three requests at the replicas",
    });
    const home = replicas.find((r) => r.received.length > 0);
    expect(home?.received).toHaveLength(3);
    expect(JSON.parse(home?.received[0]?.body ?? "{}")).toMatchObject({
      prompt_cache_key: cacheKey,
    });
    for (const replica of replicas) replica.release();
    expect(new Set((await Promise.all(answers)).map((a) => a.model))).toEqual(
      new Set([home?.name]),
    );
  });
});
