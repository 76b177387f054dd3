import type { ServerResponse } from "node:http";
import { sseFrame } from "./frame.ts";

/** How often an open stream sends a comment, so that idle proxies do not close it. */
const HEARTBEAT_MS = 15_000;

/** Writers holding frames for the next flush, and whether that flush is scheduled. */
const waiting = new Set<SseWriter>();
let flushScheduled = false;

function flushWaiting(): void {
  flushScheduled = false;
  const writers = [...waiting];
  waiting.clear();
  for (const writer of writers) writer.flush();
}

/**
 * Queues a writer's frames for one flush shared by every stream of the process, two event-loop
 * turns away. Why: a token's frame used to go out at once, and on a streaming answer that socket
 * write (about 0.4 ms a token on the bench machine: loopback TCP does the receiver's work inside
 * the sender's writev) sat between sampling a token and handing the next decode step to
 * llama.cpp, which node-llama-cpp does on the next setImmediate. Two turns later the step is
 * already running on llama.cpp's threads, so the write overlaps it; streams that got tokens from
 * the same step share the one wake-up. The delay is a fraction of a millisecond.
 */
function flushSoon(writer: SseWriter): void {
  waiting.add(writer);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => setImmediate(flushWaiting));
}

/**
 * Server-sent events on a Node response, for every stream Dogi serves (chat turns, OpenAI's
 * streams). The stream opens on its first event: status 200, `text/event-stream`, no caching or
 * transforming by proxies, no buffering by nginx (`x-accel-buffering`), so that each token leaves
 * without delay; until then the response can still become an ordinary error. Frames go out
 * in order, a fraction of a millisecond after they are written (`flushSoon`). While open, a
 * `: ping` comment goes out every 15 s (parsers skip comments); writes after the client left are
 * dropped.
 */
export class SseWriter {
  private heartbeat: NodeJS.Timeout | undefined;
  /** Frames written since the last flush (see `flushSoon`). */
  private pending = "";

  constructor(
    private readonly res: ServerResponse,
    private readonly heartbeatMs = HEARTBEAT_MS,
  ) {}

  /** True once headers went out: from then on errors can only be reported in the stream. */
  get started(): boolean {
    return this.res.headersSent;
  }

  private open(): void {
    if (this.res.headersSent) return;
    this.res.statusCode = 200;
    this.res.setHeader("content-type", "text/event-stream; charset=utf-8");
    this.res.setHeader("cache-control", "no-cache, no-transform");
    this.res.setHeader("x-accel-buffering", "no");
    this.res.flushHeaders();
    if (this.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.write(": ping\n\n"), this.heartbeatMs);
      this.heartbeat.unref();
      this.res.once("close", () => clearInterval(this.heartbeat));
    }
  }

  private write(text: string): void {
    if (this.pending === "") flushSoon(this);
    this.pending += text;
  }

  /** Sends the frames held since the last flush; dropped when the client has left. */
  flush(): void {
    const text = this.pending;
    this.pending = "";
    waiting.delete(this);
    if (text && !this.res.writableEnded && !this.res.destroyed) this.res.write(text);
  }

  /** A named event (`event: name`) with JSON data. */
  event(name: string, data: unknown): void {
    this.open();
    this.write(sseFrame(name, data));
  }

  /** An unnamed event with JSON data, as OpenAI's streams send each chunk. */
  data(data: unknown): void {
    this.open();
    this.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends the stream, after a last raw frame if given (OpenAI's `data: [DONE]`). */
  end(last?: string): void {
    clearInterval(this.heartbeat);
    this.flush();
    if (this.res.writableEnded || this.res.destroyed) return;
    if (last !== undefined) {
      this.open();
      this.res.end(last);
    } else this.res.end();
  }
}
