import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import { forwardToUpstream } from "./upstream.ts";
import type { UpstreamConfig } from "./upstream.ts";

const logger = createLogger({ service: "inference", level: "silent" });
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * An upstream streaming `chunks` SSE chunks `intervalMs` apart, then either ending or, with
 * `stallAfter`, going silent (the connection open) after that many. `headersAfterMs` delays
 * everything.
 */
function upstreamThat(options: {
  chunks: number;
  intervalMs: number;
  stallAfter?: number;
  headersAfterMs?: number;
}): Promise<string> {
  return listen((req, res) => {
    req.resume();
    setTimeout(() => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent === options.stallAfter) return;
        res.write(`data: ${sent}\n\n`);
        sent += 1;
        if (sent < options.chunks) return;
        clearInterval(timer);
        res.end("data: [DONE]\n\n");
      }, options.intervalMs);
      res.once("close", () => clearInterval(timer));
    }, options.headersAfterMs ?? 0);
  });
}

/** A service route that forwards to `upstreamUrl`; returns its URL. */
function forwarder(upstreamUrl: string, config: Partial<UpstreamConfig>): Promise<string> {
  const app = express();
  app.post("/v1/chat/completions", async (_req, res) => {
    const client = new AbortController();
    res.on("close", () => client.abort());
    await forwardToUpstream({
      config: {
        baseUrl: upstreamUrl,
        apiKey: undefined,
        model: "backup",
        timeoutMs: 1_000,
        idleTimeoutMs: 1_000,
        ...config,
      },
      path: "/chat/completions",
      body: { messages: [], stream: true },
      res,
      signal: client.signal,
      logger,
      reason: "test",
    });
  });
  return listen(app);
}

async function ask(url: string): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${url}/v1/chat/completions`, { method: "POST" });
  const text = await response.text();
  return { status: response.status, text, ms: Date.now() - started };
}

describe("forwardToUpstream", () => {
  it("relays a stream that keeps sending for longer than both timeouts", async () => {
    const upstream = await upstreamThat({ chunks: 10, intervalMs: 250 });
    const answer = await ask(await forwarder(upstream, { timeoutMs: 800, idleTimeoutMs: 800 }));
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThan(2_000);
    expect(answer.text).toContain("data: 9\n\n");
    expect(answer.text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("cuts a stream that goes silent, after the idle timeout", async () => {
    const upstream = await upstreamThat({ chunks: 10, intervalMs: 50, stallAfter: 2 });
    const answer = await ask(await forwarder(upstream, { idleTimeoutMs: 800 }));
    expect(answer.text).toBe("data: 0\n\ndata: 1\n\n");
    expect(answer.ms).toBeGreaterThanOrEqual(800);
    expect(answer.ms).toBeLessThan(3_000);
  });

  it("answers 503 when the upstream sends no headers within its timeout", async () => {
    const upstream = await upstreamThat({ chunks: 1, intervalMs: 10, headersAfterMs: 5_000 });
    const answer = await ask(await forwarder(upstream, { timeoutMs: 500 }));
    expect(answer.status).toBe(503);
    expect(answer.text).toContain("upstream_unavailable");
    expect(answer.ms).toBeLessThan(3_000);
  });
});
