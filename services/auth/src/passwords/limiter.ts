import { AppError } from "@dogi/trpc";

/** Runs at most `concurrency` tasks at once; a task that cannot start within `maxWaitMs` is refused. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running and waiting now. */
  stats(): { active: number; waiting: number };
}

/** A bounded-concurrency gate: excess callers wait briefly, then get OVERLOADED (503). */
export function createLimiter(options: {
  concurrency: number;
  maxWaitMs: number;
  /** Waiters beyond this are refused at once, so a flood cannot pile up timers. */
  maxWaiting?: number;
}): Limiter {
  const { concurrency, maxWaitMs } = options;
  const maxWaiting = options.maxWaiting ?? concurrency * 16;
  let active = 0;
  const waiting: Array<() => void> = [];

  const overloaded = () =>
    new AppError("OVERLOADED", "The sign-in service is busy; try again in a moment.", {
      retryAfterSeconds: 1,
    });

  const acquire = (): Promise<void> => {
    if (active < concurrency) {
      active += 1;
      return Promise.resolve();
    }
    if (waiting.length >= maxWaiting) return Promise.reject(overloaded());
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = waiting.indexOf(grant);
        if (index >= 0) waiting.splice(index, 1);
        reject(overloaded());
      }, maxWaitMs);
      waiting.push(grant);
    });
  };

  const release = () => {
    const next = waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next();
    else active -= 1;
  };

  return {
    async run(task) {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    stats: () => ({ active, waiting: waiting.length }),
  };
}
