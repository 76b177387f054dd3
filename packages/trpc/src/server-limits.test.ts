import type http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import { serve } from "./serve.ts";
import type { RunningServer } from "./serve.ts";
import { serverOptions } from "./server-limits.ts";
import type { ServerLimits } from "./server-limits.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const silent = createLogger({ service: "test", level: "silent" });

const limits: ServerLimits = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 600,
  keepAliveTimeoutMs: 200,
  idleTimeoutMs: 500,
  maxHeadersCount: 100,
  maxRequestsPerSocket: 0,
  maxConnections: 0,
};

let running: RunningServer | undefined;
afterEach(async () => {
  running?.server.closeAllConnections();
  await running?.close();
  running = undefined;
});

async function start(app: http.RequestListener): Promise<{ port: number }> {
  running = await serve({
    app,
    host: "127.0.0.1",
    port: 0,
    logger: silent,
    shutdownTimeoutMs: 1_000,
    handleSignals: false,
    limits,
  });
  return { port: Number(new URL(running.url).port) };
}

/** A raw connection: what it received, and when the server closed it. */
function connect(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  const opened = Date.now();
  const closed = new Promise<number>((resolve) =>
    socket.once("close", () => resolve(Date.now() - opened)),
  );
  return { socket, received: () => received, closed };
}

describe("server limits", () => {
  it("cuts off a client that sends its headers slowly (slowloris) after the headers timeout", async () => {
    const { port } = await start((_req, res) => res.end("ok"));
    const client = connect(port);
    client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n");
    // One byte of a never-ending header every 50 ms: activity, but no request.
    const drip = setInterval(() => client.socket.write("a"), 50);
    client.socket.write("X-Slow: ");
    const elapsed = await Promise.race([client.closed, sleep(3_000).then(() => -1)]);
    clearInterval(drip);
    expect(elapsed).toBeGreaterThanOrEqual(limits.headersTimeoutMs - 50);
    expect(elapsed).toBeLessThan(limits.headersTimeoutMs + 500);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes a connection that never sends a byte after the headers timeout", async () => {
    const { port } = await start((_req, res) => res.end("ok"));
    const elapsed = await Promise.race([connect(port).closed, sleep(3_000).then(() => -1)]);
    expect(elapsed).toBeGreaterThanOrEqual(limits.headersTimeoutMs - 50);
    expect(elapsed).toBeLessThan(limits.headersTimeoutMs + 500);
  });

  it("cuts off a request whose body arrives slower than the request timeout", async () => {
    const { port } = await start((req, res) => {
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    const client = connect(port);
    client.socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
    const drip = setInterval(() => client.socket.write("a"), 50);
    const elapsed = await Promise.race([client.closed, sleep(3_000).then(() => -1)]);
    clearInterval(drip);
    expect(elapsed).toBeGreaterThanOrEqual(limits.requestTimeoutMs - 50);
    expect(elapsed).toBeLessThan(limits.requestTimeoutMs + 500);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("lets an answer that keeps writing outlast the request and idle timeouts", async () => {
    const { port } = await start((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        res.write(`data: ${sent}\n\n`);
        if (sent === 12) {
          clearInterval(timer);
          res.end("data: [DONE]\n\n");
        }
      }, 150);
    });
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${port}/`);
    const text = await response.text();
    // 1.8 s: three times the request timeout and more than three idle timeouts.
    expect(Date.now() - started).toBeGreaterThan(1_500);
    expect(text).toContain("data: 12\n\n");
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("keeps a connection whose server works on the answer longer than the idle timeout", async () => {
    const { port } = await start((_req, res) => {
      setTimeout(() => res.end("worked it out"), 3 * limits.idleTimeoutMs);
    });
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe("worked it out");
  });

  it("closes a connection whose client stops reading the answer, after the idle timeout", async () => {
    let cut: Promise<number> | undefined;
    const { port } = await start((_req, res) => {
      const started = Date.now();
      cut = new Promise((resolve) => res.once("close", () => resolve(Date.now() - started)));
      const chunk = Buffer.alloc(64 * 1024, "x");
      // Writes on while the client reads nothing: the socket's buffers fill, then nothing moves.
      const fill = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", fill);
      };
      res.writeHead(200, { "content-type": "application/octet-stream" });
      fill();
    });
    const client = connect(port);
    client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    client.socket.pause();
    await expect.poll(() => cut, { timeout: 2_000 }).toBeDefined();
    const elapsed = await Promise.race([cut, sleep(4_000).then(() => -1)]);
    expect(elapsed).toBeGreaterThanOrEqual(limits.idleTimeoutMs - 50);
    expect(elapsed).toBeLessThan(limits.idleTimeoutMs + 1_500);
    client.socket.destroy();
  });

  it("still closes a kept-alive connection that idles between requests", async () => {
    const { port } = await start((_req, res) => res.end("ok"));
    const client = connect(port);
    client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await expect.poll(() => client.received()).toContain("ok");
    // Node waits one second past the advertised keep-alive timeout before it closes.
    const elapsed = await Promise.race([client.closed, sleep(4_000).then(() => -1)]);
    expect(elapsed).toBeGreaterThan(limits.keepAliveTimeoutMs);
    expect(elapsed).toBeLessThan(limits.keepAliveTimeoutMs + 2_000);
  });

  it("caps the headers timeout at the request timeout, which Node requires", () => {
    const options = serverOptions({
      ...limits,
      headersTimeoutMs: 90_000,
      requestTimeoutMs: 30_000,
    });
    expect(options.headersTimeout).toBe(30_000);
    expect(options.requestTimeout).toBe(30_000);
    // Checked often enough that a slow client is cut within a second of its timeout.
    expect(options.connectionsCheckingInterval).toBeLessThanOrEqual(1_000);
  });
});
