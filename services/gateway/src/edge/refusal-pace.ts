import type { ServerResponse } from "node:http";

/** How many clients' Retry-After windows are remembered; the least recently refused go first. */
const MAX_KEYS = 10_000;

/**
 * Slows the refusals of a client that asks again before the Retry-After its last refusal gave
 * (a retry loop that ignores it). Refusing is cheap but not free: on two cores, 40 streams
 * re-sent 50 ms after each 429 made about 300 refusals a second, and the gateway's and the
 * client's share of the CPU, not the model, raised everyone else's time to first token by
 * half (issue 17: with the refusals spaced out the others' times did not move). Holding such a
 * refusal for up to `maxDelayMs` before sending it costs a timer and an idle socket, and spaces
 * the loop out to one request per stream per delay. A client that waits as it is told is never
 * held. Keys are whatever the refusing limit counts by (an address, a user), so each limit paces
 * only the clients it refuses. Per replica, as the connections are.
 */
export class RefusalPace {
  /** When each key's last Retry-After ends, in order of last refusal. */
  private readonly until = new Map<string, number>();

  constructor(
    private readonly maxDelayMs: number,
    /** Told of each refusal held (for /metrics). */
    private readonly onHeld: () => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Milliseconds to hold the refusal of `key`, which is told to wait `retryAfterSeconds`: the
   * rest of its previous Retry-After (at most `maxDelayMs`), or 0 when it waited that out.
   */
  delayFor(key: string, retryAfterSeconds: number): number {
    const now = this.now();
    const previous = this.until.get(key);
    const delay =
      previous === undefined || previous <= now ? 0 : Math.min(this.maxDelayMs, previous - now);
    // The new window starts when the refusal is sent.
    this.until.delete(key);
    this.until.set(key, now + delay + retryAfterSeconds * 1000);
    if (this.until.size > MAX_KEYS) {
      const oldest = this.until.keys().next();
      if (!oldest.done) this.until.delete(oldest.value);
    }
    return delay;
  }

  /**
   * Waits before `res` gets the refusal of `key` (see `delayFor`); ends early when the client
   * leaves. Resolves true when the refusal should still be sent.
   */
  async hold(res: ServerResponse, key: string, retryAfterSeconds: number): Promise<boolean> {
    const delay = this.delayFor(key, retryAfterSeconds);
    if (delay > 0) {
      this.onHeld();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done() {
          clearTimeout(timer);
          res.off("close", done);
          resolve();
        }
        res.once("close", done);
      });
    }
    return !res.destroyed && !res.writableEnded;
  }
}
