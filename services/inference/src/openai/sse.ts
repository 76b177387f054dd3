import type { Request, Response } from "express";

/** Server-sent events as OpenAI streams them: `data: {json}` frames, then `data: [DONE]`. */
export class SseWriter {
  private opened = false;

  constructor(private readonly res: Response) {}

  /** True once headers went out: from then on errors can only end the stream. */
  get started(): boolean {
    return this.opened;
  }

  private open(): void {
    if (this.opened) return;
    this.opened = true;
    this.res.status(200);
    this.res.setHeader("content-type", "text/event-stream; charset=utf-8");
    this.res.setHeader("cache-control", "no-cache");
    this.res.setHeader("connection", "keep-alive");
    // Reverse proxies (nginx) would otherwise hold tokens back in their buffers.
    this.res.setHeader("x-accel-buffering", "no");
    this.res.flushHeaders();
  }

  send(data: unknown): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    this.open();
    this.res.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends the stream with OpenAI's terminator. */
  done(): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    this.open();
    this.res.end("data: [DONE]\n\n");
  }
}

/** Cancellation of one request: the client leaving or the request timing out. */
export interface RequestScope {
  signal: AbortSignal;
  timedOut(): boolean;
  clientGone(): boolean;
}

/**
 * Aborts when the client disconnects before the response finished (streaming or not) or when
 * the request outlives its timeout. `res` 'close' fires for both; only an unfinished response
 * means the client left.
 */
export function requestScope(_req: Request, res: Response, timeoutMs: number): RequestScope {
  const client = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) client.abort(new Error("client disconnected"));
  });
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: AbortSignal.any([client.signal, timeout]),
    timedOut: () => timeout.aborted,
    clientGone: () => client.signal.aborted,
  };
}
