import { randomUUID } from "node:crypto";
import type { TRagPauseWritesResponse, TRagResumeWritesResponse } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";

interface Pause {
  id: string;
  until: number;
  timer: NodeJS.Timeout;
}

/**
 * Lets a backup stop the knowledge base's writes while it copies Chroma's files. Writes that
 * arrive during a pause fail at once with OVERLOADED ("backup in progress, retry"), rather than
 * wait, so an ingest never hangs on a backup; a pause ends on resume or after its hold, whichever
 * comes first.
 */
export class WriteGate {
  private pause: Pause | undefined;
  private inFlight = 0;
  private readonly idle = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `write` unless writes are paused; a pause waits for it to finish. */
  async run<T>(write: () => Promise<T>): Promise<T> {
    const pause = this.pause;
    if (pause !== undefined) {
      const seconds = Math.max(1, Math.ceil((pause.until - this.now()) / 1000));
      throw new AppError(
        "OVERLOADED",
        `backup in progress: knowledge base writes are paused for up to ${seconds} s; retry then`,
        { retryAfterSeconds: seconds },
      );
    }
    this.inFlight += 1;
    try {
      return await write();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const resolve of this.idle) resolve();
    }
  }

  /**
   * Stops new writes for at most `holdMs` and resolves once the writes already running are done.
   * When they are not done within the hold, the pause is lifted and this fails with TIMEOUT.
   */
  async pauseWrites(holdMs: number): Promise<TRagPauseWritesResponse> {
    if (this.pause !== undefined)
      throw new AppError("CONFLICT", "knowledge base writes are already paused by another backup");
    const id = randomUUID();
    const until = this.now() + holdMs;
    const timer = setTimeout(() => this.lift(id), holdMs);
    timer.unref();
    this.pause = { id, until, timer };
    if (this.inFlight > 0) {
      let done: () => void = () => undefined;
      const drained = new Promise<void>((resolve) => (done = resolve));
      this.idle.add(done);
      try {
        await drained;
      } finally {
        this.idle.delete(done);
      }
      // The hold ran out before the running writes finished: nothing was paused for the copy.
      if (this.pause?.id !== id)
        throw new AppError(
          "TIMEOUT",
          `the running knowledge base writes did not finish within ${holdMs} ms; retry the backup`,
        );
    }
    return { pauseId: id, pausedUntil: until };
  }

  /** Ends the pause `pauseId`; `heldThroughout` says whether it was still in effect. */
  resumeWrites(pauseId: string): TRagResumeWritesResponse {
    return { heldThroughout: this.lift(pauseId) };
  }

  private lift(pauseId: string): boolean {
    if (this.pause?.id !== pauseId) return false;
    clearTimeout(this.pause.timer);
    this.pause = undefined;
    // A pause that lapsed while waiting for running writes must wake its waiter.
    if (this.inFlight > 0) for (const resolve of this.idle) resolve();
    return true;
  }
}
