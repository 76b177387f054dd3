import type { TitleOutcome } from "./chat/title.ts";
import type { InferencePool } from "./inference/pool.ts";

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

/**
 * The chat turn's pool and title hook, wired so that model-written titles count as background
 * work. chat/run-turn.ts starts a title (chat/title.ts) after a first turn without awaiting it
 * and reports its outcome through `onTitle`; the title's model call is the turn code's only
 * request that is not streamed (answers ask for text/event-stream). So such a request starts a
 * piece of work and the next outcome reported ends one. Every request of the turn code also
 * carries the shutdown signal, so a title still running when the grace period is over is
 * aborted.
 */
export function trackTitles(
  pool: InferencePool,
  work: BackgroundWork,
  onTitle: (outcome: TitleOutcome) => void,
): { pool: InferencePool; onTitle: (outcome: TitleOutcome) => void } {
  const running: Array<() => void> = [];
  return {
    pool: pool.through((options, send) => {
      if (options.headers.accept !== "text/event-stream") running.push(work.begin());
      return send({
        ...options,
        signal: options.signal ? AbortSignal.any([options.signal, work.signal]) : work.signal,
      });
    }),
    onTitle: (outcome) => {
      running.shift()?.();
      onTitle(outcome);
    },
  };
}
