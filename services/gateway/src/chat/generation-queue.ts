import { AppError } from "@dogi/trpc";

/** Where a waiting turn stands: how many turns go before it, and about how long that takes. */
export interface QueuePlace {
  position: number;
  estimatedWaitMs: number;
}

interface Waiter {
  userId: string;
  resolve(release: () => void): void;
  reject(error: unknown): void;
  onPlace: (place: QueuePlace) => void;
  cleanup(): void;
}

const DEFAULT_TURN_MS = 10_000;

/**
 * The chat turns allowed to generate at once (GATEWAY_MAX_STREAMS), with a bounded wait in front
 * instead of a refusal: a turn that finds every place taken waits, told its position as it moves
 * up, and fails only past its deadline. A freed place goes to the waiting user who generates
 * the fewest turns right now (ties: the one who waited longest), so one user's turns cannot
 * hold the others back.
 */
export class GenerationQueue {
  private running = 0;
  private readonly perUser = new Map<string, number>();
  private readonly waiters: Waiter[] = [];
  private recentMs: number[] = [];

  constructor(
    private readonly options: {
      /** Turns generating at once. */
      capacity: number;
      /** Turns waiting at most; more are refused at once. */
      queueMax: number;
      /** How long a turn may wait for its place. */
      timeoutMs: number;
    },
  ) {}

  get waiting(): number {
    return this.waiters.length;
  }

  /** Whether a new turn would be refused at once (every place taken and the wait full). */
  get full(): boolean {
    return this.running >= this.options.capacity && this.waiters.length >= this.options.queueMax;
  }

  /**
   * Resolves with `release` once the turn may generate. While it waits, `onPlace` hears its
   * place (at once, then each time it moves up). Rejects with OVERLOADED when the wait is full
   * or past the deadline, and with the signal's reason when the client leaves.
   */
  enter(userId: string, signal: AbortSignal, onPlace: (place: QueuePlace) => void) {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.running < this.options.capacity && this.waiters.length === 0)
      return Promise.resolve(this.start(userId));
    if (this.waiters.length >= this.options.queueMax)
      return Promise.reject(
        new AppError("OVERLOADED", "Too many questions are waiting right now; try again shortly.", {
          retryAfterSeconds: this.estimatedWaitSeconds(this.waiters.length),
        }),
      );
    return new Promise<() => void>((resolve, reject) => {
      const onAbort = () => {
        this.remove(waiter);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        this.remove(waiter);
        reject(
          new AppError(
            "OVERLOADED",
            "Dogi is answering many questions right now and yours waited too long; please ask again.",
            { retryAfterSeconds: this.estimatedWaitSeconds(this.waiters.length) },
          ),
        );
      }, this.options.timeoutMs);
      const waiter: Waiter = {
        userId,
        resolve,
        reject,
        onPlace,
        cleanup: () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
      onPlace(this.placeOf(this.waiters.length - 1));
    });
  }

  private start(userId: string): () => void {
    const started = performance.now();
    this.running += 1;
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.recentMs = [...this.recentMs.slice(-19), performance.now() - started];
      this.running -= 1;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
      this.dispatch();
    };
  }

  private remove(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
    waiter.cleanup();
  }

  private dispatch(): void {
    let moved = false;
    while (this.running < this.options.capacity && this.waiters.length > 0) {
      let best = 0;
      for (let i = 1; i < this.waiters.length; i++) {
        const user = this.waiters[i]?.userId ?? "";
        const bestUser = this.waiters[best]?.userId ?? "";
        if ((this.perUser.get(user) ?? 0) < (this.perUser.get(bestUser) ?? 0)) best = i;
      }
      const [waiter] = this.waiters.splice(best, 1);
      if (!waiter) break;
      waiter.cleanup();
      waiter.resolve(this.start(waiter.userId));
      moved = true;
    }
    if (moved) this.waiters.forEach((waiter, index) => waiter.onPlace(this.placeOf(index)));
  }

  private placeOf(index: number): QueuePlace {
    return { position: index + 1, estimatedWaitMs: this.estimatedWaitMs(index) };
  }

  /** About how long the turn at `index` of the wait has to go: waves of `capacity` turns. */
  private estimatedWaitMs(index: number): number {
    const mean =
      this.recentMs.length === 0
        ? DEFAULT_TURN_MS
        : this.recentMs.reduce((a, b) => a + b, 0) / this.recentMs.length;
    return Math.round(mean * Math.ceil((index + 1) / Math.max(1, this.options.capacity)));
  }

  private estimatedWaitSeconds(index: number): number {
    return Math.max(1, Math.ceil(this.estimatedWaitMs(index) / 1000));
  }
}
