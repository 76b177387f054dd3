import type { Response } from "express";

/** Formats one server-sent event: its name and its JSON data (one line, so no escaping is needed). */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Parses server-sent event frames out of a stream of text chunks (split anywhere). */
export class SseParser {
  private buffer = "";

  /** Feeds a chunk; returns the frames it completed, each as its event name and data text. */
  push(chunk: string): Array<{ event: string; data: string }> {
    this.buffer += chunk;
    const frames: Array<{ event: string; data: string }> = [];
    for (;;) {
      const match = /\r?\n\r?\n/.exec(this.buffer);
      if (!match) return frames;
      const raw = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      let event = "message";
      const data: string[] = [];
      for (const line of raw.split(/\r?\n/)) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) frames.push({ event, data: data.join("\n") });
    }
  }
}

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
