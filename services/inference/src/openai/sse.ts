import type { Request, Response } from "express";

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
