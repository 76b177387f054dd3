import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TChatSession } from "@dogi/contracts";
import type { SessionRouter } from "@dogi/session";
import { freePort, startProcess, testCredential, testInternalSecret, waitFor } from "@dogi/testing";
import { createServiceClient } from "@dogi/trpc";
import type { ManagedProcess } from "@dogi/testing";
import { postChatHi } from "./testing/api.ts";
import { startFakeAuth } from "./testing/fake-auth.ts";
import { startServiceProcess } from "./testing/service-process.ts";
import type { FakeAuth } from "./testing/fake-auth.ts";
import { startReplica } from "./testing/replica.ts";
import type { TestReplica } from "./testing/replica.ts";

// The gateway as a real process (its own main.ts and signal handling) in front of a small
// OpenAI-compatible replica, the two auth procedures it needs and the real session service
// (SQLite) for the chat turns whose titles shutdown waits for.
const here = path.dirname(fileURLToPath(import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

let auth: FakeAuth;
let replica: TestReplica;
let gateway: ManagedProcess | undefined;
let session: { url: string; process: ManagedProcess; dataDir: string };

async function startSessionService() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "dogi-gateway-shutdown-"));
  const started = await startServiceProcess({
    name: "session",
    port: await freePort(),
    env: { SESSION_DATABASE_URL: `file:${path.join(dataDir, "session.db")}` },
  });
  return { ...started, dataDir };
}

beforeAll(async () => {
  auth = await startFakeAuth();
  replica = await startReplica("r0", "slow");
  session = await startSessionService();
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});
afterAll(async () => {
  await session.process.stop();
  rmSync(session.dataDir, { recursive: true, force: true });
  await replica.close();
  await auth.close();
});

async function startGateway(graceMs: number): Promise<string> {
  const port = await freePort();
  gateway = await startProcess(
    process.execPath,
    ["--import", tsxLoader, path.join(here, "main.ts")],
    {
      name: "gateway",
      cwd: path.resolve(here, "../../.."),
      env: {
        ...process.env,
        GATEWAY_PORT: String(port),
        AUTH_URL: auth.url,
        SESSION_URL: session.url,
        RAG_URL: "http://127.0.0.1:9",
        INFERENCE_URL: replica.url,
        SHUTDOWN_TIMEOUT_MS: String(graceMs),
        INTERNAL_SECRET: testInternalSecret,
        // These tests watch the replica's non-streamed requests (session titles); the triage
        // opinion would be one more.
        TRIAGE_MODEL: "off",
        LOG_LEVEL: "info",
        LOG_TO_FILE: "false",
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const process_ = gateway;
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, {
    what: "the gateway to listen",
    timeoutMs: 30_000,
    process: process_,
  });
  return url;
}

/** Starts a streamed completion and resolves once its first chunk arrived. */
async function openStream(url: string, key: string) {
  const response = await postChatHi(url, key, { stream: true });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value);
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return { first: text, rest };
}

async function sigterm(): Promise<ManagedProcess> {
  const running = gateway;
  if (!running) throw new Error("no gateway running");
  process.kill(running.pid, "SIGTERM");
  await waitFor(() => running.output(200).includes('"draining"'), {
    what: "the gateway to start draining",
    process: running,
  });
  return running;
}

describe("graceful shutdown", () => {
  it("lets a stream in flight finish while new requests get 503, then exits", async () => {
    replica.slow = { chunks: 8, intervalMs: 150 };
    const url = await startGateway(10_000);
    const key = auth.apiKey();
    const stream = await openStream(url, key);
    expect(stream.first).toContain("chat.completion.chunk");

    const running = await sigterm();
    const refused = await fetch(`${url}/v1/models`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(refused.headers.get("connection")).toBe("close");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("OVERLOADED");
    expect(running.exitStatus()).toBeUndefined();

    const text = await stream.rest;
    const finishedAt = Date.now();
    expect(text.match(/chat\.completion\.chunk/g)).toHaveLength(8);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);

    const exit = await running.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // It left once the stream was done, not at the end of the 10 s grace period.
    expect(Date.now() - finishedAt).toBeLessThan(5_000);
    expect(running.output(200)).toMatch(/"cut":0/);
  });

  it("cuts a stream that outlasts the grace period and exits on time", async () => {
    replica.slow = { chunks: 200, intervalMs: 100 };
    const url = await startGateway(1_000);
    const stream = await openStream(url, auth.apiKey());
    const signalled = Date.now();
    const running = await sigterm();

    await expect(stream.rest).rejects.toThrow();
    const exit = await running.exited;
    const took = Date.now() - signalled;
    expect(exit.code).toBe(0);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(6_000);
    expect(running.output(200)).toMatch(/"cut":1/);
  });
});

/** A session with one answered turn (stream=false); its title is being written when this returns. */
async function firstTurn(url: string, token: string): Promise<string> {
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const created = await fetch(`${url}/v1/llm/sessions`, { method: "POST", headers, body: "{}" });
  expect(created.status).toBe(201);
  const { session_id: sessionId } = (await created.json()) as { session_id: string };
  const turn = await fetch(`${url}/v1/llm/sessions/${sessionId}/messages`, {
    method: "POST",
    headers,
    body: JSON.stringify({ question: "My dog sneezes a lot after walks", stream: false }),
  });
  expect(turn.status).toBe(200);
  expect(((await turn.json()) as { answer: string }).answer).toContain("hi from r0");
  return sessionId;
}

async function storedSession(token: string, sessionId: string) {
  const client = createServiceClient<SessionRouter>({
    url: session.url,
    timeoutMs: 5_000,
    credential: testCredential("session"),
  });
  const userId = auth.userOf(token) as TChatSession["userId"];
  return client.sessions.get.query({ userId, sessionId: sessionId as TChatSession["sessionId"] });
}

describe("graceful shutdown with a session title being written", () => {
  afterEach(() => {
    replica.mode = "slow";
    replica.jsonDelayMs = 0;
  });

  it("waits for the title request, stores the title, then exits", async () => {
    replica.mode = "ok";
    replica.jsonDelayMs = 1_500;
    const url = await startGateway(10_000);
    const token = auth.accessToken();
    const abandonedBefore = replica.abandoned;
    const sessionId = await firstTurn(url, token);
    const running = await sigterm();
    const signalled = Date.now();
    expect(running.output(200)).toMatch(/"background":1/);

    const exit = await running.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // It stayed for the title (answered 1.5 s after it was asked), not the whole grace period.
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(500);
    expect(Date.now() - signalled).toBeLessThan(8_000);
    expect(running.output(200)).toMatch(/"cut":0,"aborted":0/);
    expect(replica.abandoned).toBe(abandonedBefore);
    const stored = await storedSession(token, sessionId);
    expect(stored).toMatchObject({ title: "hi from r0", titleSource: "model" });
  });

  it("aborts a title request that outlasts the grace period and exits on time", async () => {
    replica.mode = "ok";
    replica.jsonDelayMs = 600_000;
    const url = await startGateway(1_000);
    const token = auth.accessToken();
    const abandonedBefore = replica.abandoned;
    const sessionId = await firstTurn(url, token);
    const signalled = Date.now();
    const running = await sigterm();

    const exit = await running.exited;
    const took = Date.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(6_000);
    expect(running.output(200)).toMatch(/"cut":0,"aborted":1/);
    // The model call was closed, and the session kept its automatic title.
    await waitFor(() => replica.abandoned === abandonedBefore + 1, {
      what: "the replica to see the title request closed",
    });
    const stored = await storedSession(token, sessionId);
    expect(stored.titleSource).not.toBe("model");
  });
});
