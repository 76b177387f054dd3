import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { readSse } from "./read.ts";
import { SseWriter } from "./writer.ts";

let server: http.Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server whose one route runs `handler` with a writer, and the URL to reach it. */
async function serve(
  handler: (sse: SseWriter, res: http.ServerResponse) => Promise<void> | void,
  heartbeatMs?: number,
): Promise<string> {
  server = http.createServer((_req, res) => {
    void handler(new SseWriter(res, heartbeatMs), res);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("SseWriter", () => {
  it("opens the stream on its first event with headers proxies leave alone", async () => {
    const url = await serve(async (sse) => {
      expect(sse.started).toBe(false);
      sse.event("meta", { n: 1 });
      expect(sse.started).toBe(true);
      sse.data({ n: 2 });
      sse.end("data: [DONE]\n\n");
    });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const frames: Array<{ event: string; data: string }> = [];
    if (response.body) await readSse(response.body, (frame) => frames.push(frame));
    expect(frames).toEqual([
      { event: "meta", data: '{"n":1}' },
      { event: "message", data: '{"n":2}' },
      { event: "message", data: "[DONE]" },
    ]);
  });

  it("sends a comment while idle, which parsers skip", async () => {
    const url = await serve(async (sse) => {
      sse.event("meta", {});
      await pause(120);
      sse.end();
    }, 30);
    const response = await fetch(url);
    const text = await response.text();
    expect(text.match(/^: ping$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(text.startsWith("event: meta\n")).toBe(true);
  });

  it("drops writes after the client left, without throwing", async () => {
    let after: (() => void) | undefined;
    const finished = new Promise<void>((resolve) => (after = resolve));
    const url = await serve(async (sse, res) => {
      sse.event("meta", {});
      await new Promise((resolve) => res.once("close", resolve));
      expect(() => {
        sse.event("delta", { text: "late" });
        sse.end("data: [DONE]\n\n");
      }).not.toThrow();
      after?.();
    });
    const controller = new AbortController();
    const response = await fetch(url, { signal: controller.signal });
    await response.body?.getReader().read();
    controller.abort();
    await finished;
  });

  it("sends the frames of one turn in one write, after the turn's other work, in order", async () => {
    const writes: string[] = [];
    let writtenSync = -1;
    let writtenAtStep = -1;
    const url = await serve(async (sse, res) => {
      const write = res.write.bind(res) as (chunk: string) => boolean;
      res.write = ((chunk: string) => {
        writes.push(String(chunk));
        return write(chunk);
      }) as typeof res.write;
      sse.data({ n: 1 });
      sse.data({ n: 2 });
      sse.event("meta", { n: 3 });
      writtenSync = writes.length;
      // What the inference engine does next on the same turn: hand the decode step over.
      await new Promise((resolve) => setImmediate(resolve));
      writtenAtStep = writes.length;
      await pause(20);
      sse.data({ n: 4 });
      sse.end("data: [DONE]\n\n");
    });
    const response = await fetch(url);
    const frames: Array<{ event: string; data: string }> = [];
    if (response.body) await readSse(response.body, (frame) => frames.push(frame));
    expect(writtenSync).toBe(0);
    expect(writtenAtStep).toBe(0);
    expect(writes[0]).toBe('data: {"n":1}\n\ndata: {"n":2}\n\nevent: meta\ndata: {"n":3}\n\n');
    expect(frames.map((frame) => frame.data)).toEqual([
      '{"n":1}',
      '{"n":2}',
      '{"n":3}',
      '{"n":4}',
      "[DONE]",
    ]);
  });
});
