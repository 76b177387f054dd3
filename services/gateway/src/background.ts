/**
 * Work that outlives the request that started it (the model-written session title after a
 * first turn). Shutdown waits for it within the grace period, then aborts what is left.
 */
export class BackgroundWork {
  private readonly controller = new AbortController();
  private count = 0;

  /** Aborted when shutdown gives up waiting. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Pieces of work started and not yet done. */
  get pending(): number {
    return this.count;
  }

  /** Counts one piece of work as started; the function returned marks it done (once). */
  begin(): () => void {
    this.count += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.count -= 1;
    };
  }

  /** Aborts everything still running (it then ends on its own, as failed). */
  abort(): void {
    this.controller.abort(new Error("the gateway is shutting down"));
  }
}
