import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@dogi/logger";
import { testSigner } from "@dogi/testing";
import { InferencePool } from "../inference/pool.ts";

/**
 * How a test replica answers generation requests:
 * - "ok": a small chat completion (JSON, or SSE when the body asks to stream);
 * - "busy": 503 with an OpenAI error body, as an engine with a full queue does;
 * - "reset": the connection is destroyed before any byte of an answer;
 * - "cut": an SSE answer whose first chunk is sent, then the connection is destroyed;
 * - "hold": nothing is sent until `release()` (to keep requests outstanding);
 * - "slow": an SSE answer of `slow.chunks` chunks, one every `slow.intervalMs`;
 * - "stall": an SSE answer whose first chunk is sent, then nothing (the connection stays open).
 */
export type ReplicaMode = "ok" | "busy" | "reset" | "cut" | "hold" | "slow" | "stall";

/** A request a test replica received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A small OpenAI-compatible engine over real HTTP, for the gateway's proxy and pool tests. */
export interface TestReplica {
  url: string;
  name: string;
  mode: ReplicaMode;
  /** Whether GET /v1/models answers 200 (else 503), i.e. the health probe passes. */
  healthy: boolean;
  /** The text pieces of an "ok" streamed answer, one chunk each. */
  pieces: string[];
  /** Sent as a usage chunk at the end of an "ok" streamed answer; null: none. */
  streamUsage: Record<string, unknown> | null;
  /** The pace of "slow" answers. */
  slow: { chunks: number; intervalMs: number };
  /**
   * How long a non-streamed chat completion (a session title) waits before its "ok" answer,
   * whatever the mode; 0 answers at once.
   */
  jsonDelayMs: number;
  /** The content of a non-streamed answer; null: "hi from NAME". */
  jsonContent: string | null;
  /** Generation requests received (probes not counted). */
  received: ReceivedRequest[];
  /** Health probes received. */
  probes: number;
  /** Answers whose client (the gateway) closed the connection before the end. */
  abandoned: number;
  /** Answers every held request with "ok". */
  release(): void;
  /** Stops listening and drops every connection (a dead replica). */
  close(): Promise<void>;
}

const completion = (name: string, content = `hi from ${name}`) =>
  JSON.stringify({
    id: `chatcmpl-${name}`,
    object: "chat.completion",
    created: 0,
    model: name,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content },
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
  });

const chunk = (name: string, content: string) =>
  `data: ${JSON.stringify({
    id: `chatcmpl-${name}`,
    object: "chat.completion.chunk",
    created: 0,
    model: name,
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  })}\n\n`;

/** Starts a test replica named `name` on a free loopback port. */
export async function startReplica(name: string, mode: ReplicaMode = "ok"): Promise<TestReplica> {
  const held: Array<() => void> = [];

  const answerOk = (res: ServerResponse, stream: boolean) => {
    if (!stream) {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(completion(name, replica.jsonContent ?? undefined));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const piece of replica.pieces) res.write(chunk(name, piece));
    if (replica.streamUsage)
      res.write(
        `data: ${JSON.stringify({ object: "chat.completion.chunk", model: name, choices: [], usage: replica.streamUsage })}\n\n`,
      );
    res.end("data: [DONE]\n\n");
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (req.method === "GET" && req.url?.startsWith("/v1/models")) {
      replica.probes += 1;
      if (!replica.healthy) {
        res.writeHead(503, { "content-type": "application/json" }).end('{"error":{}}');
        return;
      }
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ object: "list", data: [{ id: name, object: "model" }] }));
      return;
    }
    replica.received.push({
      method: req.method ?? "",
      path: req.url ?? "",
      body,
      headers: req.headers,
    });
    const stream = /"stream"\s*:\s*true/.test(body);
    if (!stream && replica.jsonDelayMs > 0 && req.url === "/v1/chat/completions") {
      const timer = setTimeout(() => answerOk(res, false), replica.jsonDelayMs);
      res.once("close", () => {
        clearTimeout(timer);
        if (!res.writableFinished) replica.abandoned += 1;
      });
      return;
    }
    switch (replica.mode) {
      case "ok":
        answerOk(res, stream);
        return;
      case "busy":
        res
          .writeHead(503, { "content-type": "application/json", "retry-after": "1" })
          .end(JSON.stringify({ error: { message: "queue full", type: "server_error" } }));
        return;
      case "reset":
        req.socket.destroy();
        return;
      case "cut":
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(chunk(name, "partial "), () => setTimeout(() => req.socket.destroy(), 20));
        return;
      case "hold":
        held.push(() => answerOk(res, stream));
        return;
      case "stall":
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(chunk(name, "partial "));
        res.once("close", () => {
          if (!res.writableFinished) replica.abandoned += 1;
        });
        return;
      case "slow": {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        let sent = 0;
        const timer = setInterval(() => {
          if (res.destroyed) {
            clearInterval(timer);
            return;
          }
          res.write(chunk(name, `${sent} `));
          sent += 1;
          if (sent < replica.slow.chunks) return;
          clearInterval(timer);
          res.end("data: [DONE]\n\n");
        }, replica.slow.intervalMs);
        res.once("close", () => {
          clearInterval(timer);
          if (!res.writableFinished) replica.abandoned += 1;
        });
        return;
      }
    }
  };

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => handle(req, res, Buffer.concat(parts).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const replica: TestReplica = {
    url: `http://127.0.0.1:${port}`,
    name,
    mode,
    healthy: true,
    pieces: ["hi ", `from ${name}`],
    streamUsage: null,
    slow: { chunks: 5, intervalMs: 150 },
    jsonDelayMs: 0,
    jsonContent: null,
    received: [],
    probes: 0,
    abandoned: 0,
    release() {
      for (const answer of held.splice(0)) answer();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return replica;
}

/** A URL where nothing listens: a replica that is down (its port was free a moment ago). */
export async function deadReplicaUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A test replica behind a gateway pool (no health probes during the test), for the chat module's tests. */
export async function startReplicaPool(
  name = "r0",
): Promise<{ replica: TestReplica; pool: InferencePool }> {
  const replica = await startReplica(name);
  const pool = new InferencePool([replica.url], {
    logger: createLogger({ service: "gateway", level: "silent" }),
    healthIntervalMs: 60_000,
    headersTimeoutMs: 30_000,
    idleTimeoutMs: 30_000,
    credential: () => testSigner().credentialFor("inference"),
  });
  return { replica, pool };
}
