import { AppError } from "@dogi/trpc";

/** A slot handed to one request; release it exactly once when the request ends. */
export interface SlotLease<T> {
  slot: T;
  release(): void;
}

interface Waiter<T> {
  resolve(lease: SlotLease<T>): void;
  reject(error: unknown): void;
  pick: ((free: readonly T[]) => T) | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Thrown when every slot is busy and the queue is full; carries a Retry-After hint. */
export class OverloadedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super("OVERLOADED", "The model is busy: every slot and the queue are full. Retry shortly.", {
      retryAfterSeconds,
    });
  }
}

/**
 * A fixed set of slots (context sequences) with a bounded FIFO queue in front.
 * Requests beyond the queue are refused at once rather than piling up, so a caller under
 * overload learns to back off instead of timing out.
 */
export class SlotPool<T> {
  private readonly free: T[];
  private readonly queue: Waiter<T>[] = [];
  private readonly total: number;
  // Recent request durations estimate how long a refused caller should wait.
  private recentMs: number[] = [];

  constructor(
    slots: readonly T[],
    private readonly queueMax: number,
  ) {
    this.free = [...slots];
    this.total = slots.length;
  }

  get busy(): number {
    return this.total - this.free.length;
  }

  get queued(): number {
    return this.queue.length;
  }

  get size(): number {
    return this.total;
  }

  /**
   * Waits for a free slot in FIFO order. `pick` chooses among free slots (e.g. the one whose
   * cached prompt matches best). Rejects with OverloadedError when the queue is full and with
   * the signal's reason when aborted while waiting.
   */
  acquire(options: {
    signal?: AbortSignal;
    pick?: (free: readonly T[]) => T;
  }): Promise<SlotLease<T>> {
    const { signal, pick } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.free.length > 0 && this.queue.length === 0) {
      return Promise.resolve(this.lease(this.take(pick)));
    }
    if (this.queue.length >= this.queueMax) {
      return Promise.reject(new OverloadedError(this.retryAfterSeconds()));
    }
    return new Promise<SlotLease<T>>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, pick, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
    });
  }

  private take(pick: ((free: readonly T[]) => T) | undefined): T {
    const chosen = pick ? pick(this.free) : this.free[0];
    const index = chosen === undefined ? -1 : this.free.indexOf(chosen);
    const [slot] = this.free.splice(index >= 0 ? index : 0, 1);
    if (slot === undefined) throw new Error("slot pool: take() with no free slot");
    return slot;
  }

  private lease(slot: T): SlotLease<T> {
    const started = Date.now();
    let released = false;
    return {
      slot,
      release: () => {
        if (released) return;
        released = true;
        this.recentMs = [...this.recentMs.slice(-19), Date.now() - started];
        this.free.push(slot);
        this.dispatch();
      },
    };
  }

  private dispatch(): void {
    while (this.free.length > 0) {
      const waiter = this.queue.shift();
      if (!waiter) return;
      if (waiter.signal && waiter.onAbort) {
        waiter.signal.removeEventListener("abort", waiter.onAbort);
      }
      waiter.resolve(this.lease(this.take(waiter.pick)));
    }
  }

  /** Seconds until a slot is likely free: the mean recent request time, at least one. */
  retryAfterSeconds(): number {
    if (this.recentMs.length === 0) return 1;
    const mean = this.recentMs.reduce((a, b) => a + b, 0) / this.recentMs.length;
    const waves = Math.ceil((this.queue.length + 1) / Math.max(1, this.total));
    return Math.max(1, Math.ceil((mean * waves) / 1000));
  }
}
