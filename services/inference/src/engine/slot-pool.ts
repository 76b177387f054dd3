import { AppError } from "@dogi/trpc";

/** A slot handed to one request; release it exactly once when the request ends. */
export interface SlotLease<T> {
  slot: T;
  release(): void;
}

/** Who is asking: queues are shared fairly between callers, and background work waits for people. */
export interface QueueTicket {
  /** The caller the gateway names (a user), or the peer's address for direct callers. */
  caller: string;
  /** Work no person waits on (session titles): served only when no person's request waits. */
  background: boolean;
}

/**
 * Lets a person's request in ahead of another caller's long generation: the pool holds more
 * slots than may decode at once, and a paused generation keeps its slot (its tokens) while a
 * waiting person decodes in its place.
 */
export interface Preemption<T> {
  /** How many leases decode at once; the slots beyond these hold paused generations. */
  running: number;
  /** Whether the generation on `slot` may be paused now (long, and not just resumed). */
  pausable(slot: T): boolean;
  /** Stops the generation on `slot` between two tokens, until `resume`. */
  pause(slot: T): void;
  resume(slot: T): void;
  /** A paused generation takes the next freed slot ahead of people once paused this long. */
  maxPauseMs: number;
}

interface LeaseState<T> {
  slot: T;
  caller: string;
  paused: boolean;
  pausedAt: number;
}

/** The caller of a request that names none. */
export const ANONYMOUS_CALLER = "anonymous";
const ANONYMOUS: QueueTicket = { caller: ANONYMOUS_CALLER, background: false };

interface Waiter<T> {
  ticket: QueueTicket;
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

/** Thrown to a caller that holds more than its share of a full queue; the others keep their places. */
export class OverShareError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(
      "RATE_LIMITED",
      "You have more requests waiting for the model than your share; wait for them to finish.",
      { retryAfterSeconds },
    );
  }
}

/** How long a caller counts as active after its last request, for the fair split of slots. */
const ACTIVE_WINDOW_MS = 60_000;

/**
 * A fixed set of slots (context sequences) with a bounded queue in front, shared fairly between
 * callers: a freed slot goes to the waiting caller that holds the fewest slots (ties: the one
 * served longest ago), so one caller's burst cannot hold the others behind it; background work
 * waits until no person's request does. One caller holds at most its share of the slots (an
 * even split between the active callers, at least one and at most half; or a fixed `perCaller`):
 * a generation holds its slot to its end, so a burst of long ones would otherwise keep every slot
 * from everyone for their whole length. With `preemption`, a person who waits while every
 * running slot is taken pauses a long generation of a caller that has more work waiting or holds
 * more than its share (see `victimFor`); paused generations resume first once people stop
 * waiting, or after `maxPauseMs` at the next freed slot, so none is starved. When the queue is full,
 * a newcomer takes the place of the newest request of a caller holding more places than it
 * (that caller gets 429); when every caller holds its share, the newcomer is refused (503).
 */
export class SlotPool<T> {
  private readonly free: T[];
  private readonly queue: Waiter<T>[] = [];
  private readonly total: number;
  private readonly leased = new Map<string, number>();
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  /** When each caller last asked, to tell whether the per-caller cap applies. */
  private readonly seen = new Map<string, number>();
  private recheck: NodeJS.Timeout | undefined;
  /** `seen` is swept of callers gone quiet when it grows past this (so it never grows unbounded). */
  private sweepAt = 1024;
  // Recent request durations estimate how long a refused caller should wait.
  private recentMs: number[] = [];
  /** Leases still held, in the order they were given. */
  private readonly leases: LeaseState<T>[] = [];
  private running = 0;
  private readonly capacity: number;
  /** Generations paused so far (for /metrics). */
  pauses = 0;

  constructor(
    slots: readonly T[],
    private readonly queueMax: number,
    /** Slots one caller may hold: "fair" (see mayTake), N, or 0 (no cap). */
    private readonly perCaller: number | "fair" = 0,
    private readonly now: () => number = Date.now,
    private readonly preemption?: Preemption<T>,
  ) {
    this.free = [...slots];
    this.total = slots.length;
    this.capacity = Math.min(this.total, preemption?.running ?? this.total);
  }

  /** Generations paused for people right now. */
  get paused(): number {
    return this.leases.filter((lease) => lease.paused).length;
  }

  /** Looks again whether a waiting person may pause a generation (one just became pausable). */
  reconsider(): void {
    if (this.queue.length > 0 || this.paused > 0) this.dispatch();
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
   * Waits for a free slot, fairly between callers. `pick` chooses among free slots (e.g. the
   * one whose cached prompt matches best). Rejects with OverloadedError when the queue is full,
   * OverShareError when this caller (or, later, while it waits) holds more than its share of
   * it, and with the signal's reason when aborted while waiting.
   */
  acquire(options: {
    signal?: AbortSignal;
    pick?: (free: readonly T[]) => T;
    ticket?: QueueTicket;
  }): Promise<SlotLease<T>> {
    const { signal, pick } = options;
    const ticket = options.ticket ?? ANONYMOUS;
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.seen.set(ticket.caller, this.now());
    if (this.seen.size > this.sweepAt) this.freshCallers();
    if (
      this.free.length > 0 &&
      this.running < this.capacity &&
      this.queue.length === 0 &&
      this.mayTake(ticket.caller, () => this.freshCallers())
    ) {
      return Promise.resolve(this.lease(this.take(pick), ticket, signal));
    }
    if (this.queue.length >= this.queueMax) {
      const refusal = this.makeRoomFor(ticket);
      if (refusal) return Promise.reject(refusal);
    }
    return new Promise<SlotLease<T>>((resolve, reject) => {
      const waiter: Waiter<T> = { ticket, resolve, reject, pick, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          this.remove(waiter);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      // Free slots that a capped caller may not take go to whoever may; or a person pauses a
      // long generation.
      if (this.free.length > 0) this.dispatch();
    });
  }

  /**
   * The queue is full: frees a place for `ticket` by refusing the newest waiter of background
   * work or of a caller with more places than `ticket`'s caller; else returns why the newcomer
   * is refused.
   */
  private makeRoomFor(ticket: QueueTicket): AppError | undefined {
    const retryAfter = this.retryAfterSeconds();
    if (ticket.background || this.queue.length === 0) return new OverloadedError(retryAfter);
    const counts = new Map<string, number>();
    for (const waiter of this.queue)
      if (!waiter.ticket.background)
        counts.set(waiter.ticket.caller, (counts.get(waiter.ticket.caller) ?? 0) + 1);
    const mine = counts.get(ticket.caller) ?? 0;
    let victim: Waiter<T> | undefined;
    let heaviest = mine;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const waiter = this.queue[i];
      if (!waiter) continue;
      if (waiter.ticket.background) {
        victim = waiter;
        break;
      }
      const count = counts.get(waiter.ticket.caller) ?? 0;
      if (count > heaviest) {
        heaviest = count;
        victim = waiter;
      }
    }
    if (victim) {
      this.remove(victim);
      victim.reject(
        victim.ticket.background ? new OverloadedError(retryAfter) : new OverShareError(retryAfter),
      );
      return undefined;
    }
    // Everyone waiting holds as many places as this caller: over its share if that is more
    // than an even split of the queue, else the machine is simply full.
    const share = Math.max(1, Math.floor(this.queueMax / Math.max(1, counts.size)));
    return mine >= share && counts.size > 1
      ? new OverShareError(retryAfter)
      : new OverloadedError(retryAfter);
  }

  private remove(waiter: Waiter<T>): void {
    const index = this.queue.indexOf(waiter);
    if (index >= 0) this.queue.splice(index, 1);
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
  }

  private take(pick: ((free: readonly T[]) => T) | undefined): T {
    const chosen = pick ? pick(this.free) : this.free[0];
    const index = chosen === undefined ? -1 : this.free.indexOf(chosen);
    const [slot] = this.free.splice(index >= 0 ? index : 0, 1);
    if (slot === undefined) throw new Error("slot pool: take() with no free slot");
    return slot;
  }

  private lease(slot: T, ticket: QueueTicket, signal: AbortSignal | undefined): SlotLease<T> {
    const started = Date.now();
    const { caller } = ticket;
    this.leased.set(caller, (this.leased.get(caller) ?? 0) + 1);
    this.served += 1;
    this.lastServed.set(caller, this.served);
    const state: LeaseState<T> = { slot, caller, paused: false, pausedAt: 0 };
    this.leases.push(state);
    this.running += 1;
    // A paused generation whose client left goes on at once to see the abort and end.
    const onAbort = () => {
      if (state.paused) this.resumeLease(state);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    let released = false;
    return {
      slot,
      release: () => {
        if (released) return;
        released = true;
        signal?.removeEventListener("abort", onAbort);
        this.leases.splice(this.leases.indexOf(state), 1);
        if (!state.paused) this.running -= 1;
        this.recentMs = [...this.recentMs.slice(-19), Date.now() - started];
        const left = (this.leased.get(caller) ?? 1) - 1;
        if (left > 0) this.leased.set(caller, left);
        else this.leased.delete(caller);
        if (left === 0 && !this.queue.some((w) => w.ticket.caller === caller))
          this.lastServed.delete(caller);
        this.free.push(slot);
        this.dispatch();
      },
    };
  }

  /**
   * Whether `caller` may take one more slot. Fair: an even split between the callers active in
   * the last minute, at least one, and never more than half the slots even alone (a generation
   * holds its slot to the end, so people arriving after a burst must find one free). A number:
   * that many at most. 0: no cap. `fresh` counts the callers seen within the minute, asked only
   * when the answer depends on it (a sweep of them costs a pass over every recent caller).
   */
  private mayTake(caller: string, fresh: () => number): boolean {
    const held = this.leased.get(caller) ?? 0;
    if (this.perCaller === 0 || held === 0) return true;
    return held < this.share(caller, fresh);
  }

  /** The slots `caller` may hold (see `mayTake`); Infinity without a cap. */
  private share(caller: string, fresh: () => number): number {
    if (this.perCaller === 0) return Infinity;
    if (this.perCaller !== "fair") return this.perCaller;
    // A caller last seen before the window still counts while it holds or waits for a slot.
    const active = fresh() + (this.seen.has(caller) ? 0 : 1);
    const slots = this.capacity;
    return Math.max(1, Math.min(Math.ceil(slots / 2), Math.floor(slots / active)));
  }

  /** Forgets callers gone quiet for the activity window; returns how many are left. */
  private freshCallers(): number {
    const since = this.now() - ACTIVE_WINDOW_MS;
    for (const [caller, at] of this.seen) if (at < since) this.seen.delete(caller);
    this.sweepAt = Math.max(1024, this.seen.size * 2);
    return this.seen.size;
  }

  /** The waiter to serve next: people before background work, then the least-served caller. */
  private next(): Waiter<T> | undefined {
    let best: Waiter<T> | undefined;
    let bestKey: [number, number, number] = [Infinity, Infinity, Infinity];
    // Counted once per choice, however many waiters ask.
    let counted: number | undefined;
    const fresh = () => (counted ??= this.freshCallers());
    for (const waiter of this.queue) {
      const { caller, background } = waiter.ticket;
      if (!this.mayTake(caller, fresh)) continue;
      const key: [number, number, number] = [
        background ? 1 : 0,
        this.leased.get(caller) ?? 0,
        this.lastServed.get(caller) ?? 0,
      ];
      if (
        key[0] < bestKey[0] ||
        (key[0] === bestKey[0] &&
          (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))
      ) {
        best = waiter;
        bestKey = key;
      }
    }
    return best;
  }

  private dispatch(): void {
    for (;;) {
      const waiter = this.free.length > 0 ? this.next() : undefined;
      const paused = this.leases.find((lease) => lease.paused);
      // A paused generation goes on first unless a person who may pause it waits, and even then
      // once it has waited long enough: it is slowed, never starved.
      if (
        paused &&
        this.running < this.capacity &&
        (!waiter ||
          !this.outranks(waiter.ticket, paused.caller) ||
          this.now() - paused.pausedAt >= (this.preemption?.maxPauseMs ?? 0))
      ) {
        this.resumeLease(paused);
        continue;
      }
      if (!waiter) break;
      if (this.running >= this.capacity) {
        const victim = waiter.ticket.background ? undefined : this.victimFor(waiter.ticket.caller);
        if (!victim) break;
        this.pauseLease(victim);
      }
      this.remove(waiter);
      waiter.resolve(this.lease(this.take(waiter.pick), waiter.ticket, waiter.signal));
    }
    // Slots free but every waiter capped: look again once the other callers may have gone quiet.
    if (
      this.free.length > 0 &&
      this.running < this.capacity &&
      this.queue.length > 0 &&
      !this.recheck
    ) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        this.dispatch();
      }, ACTIVE_WINDOW_MS);
      this.recheck.unref();
    }
  }

  /**
   * The running generation a person of `caller` may pause: another caller's that the preemption
   * calls pausable, whose caller holds more slots than `caller` and has more requests waiting
   * or holds more than its share; of those, the caller holding most.
   */
  private victimFor(caller: string): LeaseState<T> | undefined {
    const preemption = this.preemption;
    if (!preemption) return undefined;
    const mine = this.leased.get(caller) ?? 0;
    let counted: number | undefined;
    const fresh = () => (counted ??= this.freshCallers());
    let victim: LeaseState<T> | undefined;
    let heaviest = mine;
    for (const lease of this.leases) {
      if (lease.paused || lease.caller === caller) continue;
      const held = this.leased.get(lease.caller) ?? 0;
      if (held <= heaviest) continue;
      const moreWork =
        held > this.share(lease.caller, fresh) ||
        this.queue.some((waiter) => waiter.ticket.caller === lease.caller);
      if (moreWork && preemption.pausable(lease.slot)) {
        victim = lease;
        heaviest = held;
      }
    }
    return victim;
  }

  /** Whether a request of `ticket` goes before a generation of `caller` (see `victimFor`). */
  private outranks(ticket: QueueTicket, caller: string): boolean {
    return (
      !ticket.background &&
      ticket.caller !== caller &&
      (this.leased.get(ticket.caller) ?? 0) < (this.leased.get(caller) ?? 0)
    );
  }

  private pauseLease(lease: LeaseState<T>): void {
    lease.paused = true;
    lease.pausedAt = this.now();
    this.pauses += 1;
    this.running -= 1;
    this.preemption?.pause(lease.slot);
  }

  private resumeLease(lease: LeaseState<T>): void {
    lease.paused = false;
    this.running += 1;
    this.preemption?.resume(lease.slot);
  }

  /** Seconds until a slot is likely free: the mean recent request time, at least one. */
  retryAfterSeconds(): number {
    if (this.recentMs.length === 0) return 1;
    const mean = this.recentMs.reduce((a, b) => a + b, 0) / this.recentMs.length;
    const waves = Math.ceil((this.queue.length + 1) / Math.max(1, this.capacity));
    return Math.max(1, Math.ceil((mean * waves) / 1000));
  }
}
