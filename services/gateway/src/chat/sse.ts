import type { Response } from "express";
import { sseFrame } from "@dogi/sse";

/** Writes a chat turn's events to a response, opening the stream on the first one. */
export class SseStream {
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly res: Response) {}

  private open(): void {
    if (this.res.headersSent) return;
    this.res.status(200);
    this.res.setHeader("content-type", "text/event-stream; charset=utf-8");
    this.res.setHeader("cache-control", "no-cache, no-transform");
    this.res.setHeader("x-accel-buffering", "no");
    this.res.flushHeaders();
    // A comment every 15 s keeps idle proxies from closing a stream while the model thinks.
    this.heartbeat = setInterval(() => this.write(": ping\n\n"), 15_000);
    this.heartbeat.unref();
  }

  private write(text: string): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(text);
  }

  send(event: string, data: unknown): void {
    this.open();
    this.write(sseFrame(event, data));
  }

  end(): void {
    clearInterval(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
  }
}
