import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";

/**
 * How many decode batches ran, how many sequence steps they carried (their mean width), and
 * how many passes over the model they took (see `decodePasses`).
 */
export interface BatchStats {
  batches: number;
  sequenceSteps: number;
  passes: number;
  /** Steps of long generations held out of a batch while shorter work ran (see `holdsStep`). */
  heldSteps: number;
}

/** How long generations give way to short ones (see `holdsStep`). */
export interface YieldPolicy {
  /** Single-token steps in a row after which a generation counts as long. */
  longAfterSteps: number;
  /** While short work runs, a long generation joins one batch in this many. */
  joinEvery: number;
}

export const DEFAULT_YIELD_POLICY: YieldPolicy = { longAfterSteps: 256, joinEvery: 4 };

/** A resumed long generation runs this many steps before it may be paused again. */
export const RUN_AFTER_RESUME = 32;

/** A long generation's safety net: held at most this long, whatever happens to the batches. */
const MAX_HOLD_MS = 250;

/**
 * Whether a sequence's next decode step waits out this batch. A long generation (past
 * `longAfterSteps` single-token steps in a row) joins only one batch in `joinEvery` while short
 * work runs on another sequence (a prompt, or a generation still in its first steps).
 * Why: a batch ends when its slowest part does, and a long grammar-forced stream's step (its
 * grammar sampling, its attention over a long context) slowed every batch it rode in (tiny
 * model, one thread: three people's 200-token answers took 150-330 ms alone and 360-450 ms
 * beside one such stream; yielding, mostly the same with it as without). Slower answers hold their
 * sequences longer, and the people queued behind them wait. A long stream's reader waits least
 * for each token; it still advances every `joinEvery` batches, and at full pace once the short
 * work is done (or after MAX_HOLD_MS), so it is slowed, never starved.
 */
export function holdsStep(
  step: { singleToken: boolean; stepsInRow: number; batch: number; lastJoined: number },
  shortWorkRuns: boolean,
  policy: YieldPolicy,
): boolean {
  if (!step.singleToken || step.stepsInRow < policy.longAfterSteps || !shortWorkRuns) return false;
  return step.batch - step.lastJoined < policy.joinEvery;
}

type AnyFunction = (...args: never[]) => unknown;

// Internal (underscore) members of node-llama-cpp 3.x that this module wraps; checked at
// install time so that a node-llama-cpp that changed them degrades to its own scheduling.
// - A sequence's after-batch hook, awaited by the context's batch loop after every batch.
const AFTER_BATCH = "_takeIntervalCheckpointIfNeededAfterBatch";
// - The context's entry point that queues a sequence's tokens for the next batch.
const QUEUE_DECODE = "_decodeTokens";
// - The context's queue of decodes waiting for the next batch, in the order they were queued.
const QUEUED_DECODES = "_queuedDecodes";
// - A sequence's id in llama.cpp (its queued decodes carry it as `sequenceId`).
const SEQUENCE_ID = "_sequenceId";

interface QueuedDecode {
  sequenceId: number;
  tokens?: readonly unknown[];
}

/** What the scheduler knows of one sequence's decode steps. */
interface SequenceSteps {
  stepsInRow: number;
  lastJoined: number;
  /** Steps since the generation last resumed from a pause (or began). */
  sinceResume: number;
}

/**
 * Whether a generation may be paused for a waiting person: it is long (as for yielding) and has
 * run `runAfterResume` steps since it last resumed, so that pauses cannot follow one another
 * with no progress between them.
 */
export function pausable(
  steps: { stepsInRow: number; sinceResume: number },
  policy: YieldPolicy,
  runAfterResume = RUN_AFTER_RESUME,
): boolean {
  return steps.stepsInRow >= policy.longAfterSteps && steps.sinceResume >= runAfterResume;
}

const bySequenceId = (a: QueuedDecode, b: QueuedDecode) => a.sequenceId - b.sequenceId;

/**
 * The passes over the model that llama.cpp makes for a batch of one token per sequence, given
 * the sequences in batch order. With a KV cache per sequence (llama.cpp's default, which
 * node-llama-cpp keeps) each pass takes, scanning in batch order, only sequence ids that
 * follow the previous one by one and leaves the others for the next pass (llama_batch_allocr's
 * sequential split_equal). Each pass reads every weight again, so a batch ordered 7,0,1,…,6
 * costs about two single batches.
 */
export function decodePasses(sequenceIds: readonly number[]): number {
  const left = [...sequenceIds];
  let passes = 0;
  while (left.length > 0) {
    passes += 1;
    let last: number | undefined;
    for (let index = 0; index < left.length;) {
      const id = left[index] as number;
      if (last === undefined || id === last + 1) {
        last = id;
        left.splice(index, 1);
      } else {
        index += 1;
      }
    }
  }
  return passes;
}

function member(target: object, name: string): unknown {
  return (target as Record<string, unknown>)[name];
}

function replaceMember(target: object, name: string, value: unknown): void {
  (target as Record<string, unknown>)[name] = value;
}

/**
 * Continuous batching on top of node-llama-cpp's context, fixing two ways in which it falls
 * short of llama-server's loop (both measured on the bench model with 8 streams):
 *
 * 1. Split batches. After a batch, node-llama-cpp starts the next one as soon as its own
 *    promise chain settles; the last sequence of a batch has not yet queued its next token
 *    (its continuation is a few microtasks behind), so every batch carried 7 of 8 sequences
 *    and the eighth rode in extra batches, each costing nearly a full pass over the weights.
 *    Waiting one event-loop turn after each batch (one shared turn) lets every sequence queue
 *    first. The turn costs microseconds against a decode step of milliseconds.
 *
 * 2. Extra passes. Sequences enter node-llama-cpp's batch in the order they queued, which
 *    rotates from batch to batch; llama.cpp then splits the batch wherever the ids do not
 *    count up by one (see `decodePasses`): with 8 streams most steps took two passes.
 *    The queue is kept sorted by sequence id (so a batch is one pass when its sequences are
 *    consecutive; the slot choice keeps them so), as llama-server's slot loop does.
 *
 * 3. Starved newcomers. The batch loop holds the context lock from batch to batch while any
 *    sequence has tokens queued, and a new request must take that lock to erase what its
 *    sequence held from an earlier request. Under load it waited until every running
 *    generation had finished: 8 streams ran as a few waves instead of side by side. Now,
 *    while a newcomer prepares its sequence, the running sequences' next tokens are held
 *    back for a moment, the loop finds nothing queued and lets the lock go, the newcomer
 *    erases, and everyone (newcomer included) goes on in the next batch.
 */
export class BatchScheduler {
  readonly stats: BatchStats = { batches: 0, sequenceSteps: 0, passes: 0, heldSteps: 0 };
  private preparing = 0;
  private readonly steps = new Map<number, SequenceSteps>();
  /** Sequences whose generation is short work (see `holdsStep`), until it grows long or ends. */
  private readonly short = new Set<number>();
  /** Held steps, each queued once its batch comes (or the safety net fires). */
  private held: Array<{ due: number; release: () => void }> = [];
  private readonly idOf = new Map<LlamaContextSequence, number>();
  /** Paused sequences (see `pause`): their next decode waits for the promise. */
  private readonly paused = new Map<number, { until: Promise<void>; resume: () => void }>();
  /** Called when a generation becomes pausable (see `pausable`). */
  onPausable: (() => void) | undefined;

  constructor(private readonly policy: YieldPolicy = DEFAULT_YIELD_POLICY) {}
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private installed = false;

  /** Wraps the context and its sequences; false (nothing changed) if node-llama-cpp changed. */
  install(context: LlamaContext, sequences: readonly LlamaContextSequence[]): boolean {
    const queueDecode = member(context, QUEUE_DECODE);
    const queued = member(context, QUEUED_DECODES);
    const hooks = sequences.map((sequence) => member(sequence, AFTER_BATCH));
    const ids = sequences.map((sequence) => member(sequence, SEQUENCE_ID));
    if (
      typeof queueDecode !== "function" ||
      !Array.isArray(queued) ||
      !hooks.every((hook) => typeof hook === "function") ||
      !ids.every((id) => typeof id === "number")
    ) {
      return false;
    }
    const enqueue = (queueDecode as AnyFunction).bind(context) as (...args: unknown[]) => unknown;
    sequences.forEach((sequence, index) => this.idOf.set(sequence, ids[index] as number));
    // Keeps the next batch in sequence id order (see "Extra passes" above).
    const queue = (...args: unknown[]) => {
      const decoded = enqueue(...args);
      (queued as QueuedDecode[]).sort(bySequenceId);
      return decoded;
    };
    // A paused sequence's next decode waits for its resume.
    const unlessPaused = (...args: unknown[]): unknown => {
      const pause = this.paused.get((args[0] as QueuedDecode).sequenceId);
      return pause ? pause.until.then(() => unlessPaused(...args)) : queue(...args);
    };
    // Long generations give way to short work (see `holdsStep`).
    const paced = (...args: unknown[]) => {
      const hold = this.holdFor(args[0] as QueuedDecode);
      return hold ? hold.then(() => unlessPaused(...args)) : unlessPaused(...args);
    };
    replaceMember(context, QUEUE_DECODE, (...args: unknown[]) =>
      this.gate ? this.gate.then(() => paced(...args)) : paced(...args),
    );
    sequences.forEach((sequence, index) => {
      const original = hooks[index] as (length: number) => unknown;
      // node-llama-cpp calls these in batch order, one sequence after another.
      replaceMember(sequence, AFTER_BATCH, (length: number) => {
        const result = original(length);
        const turn = this.nextTurn(ids[index] as number);
        return result instanceof Promise ? Promise.all([result, turn]) : turn;
      });
    });
    this.installed = true;
    return true;
  }

  /**
   * Runs `work` (which takes the context lock, e.g. erasing a sequence's old tokens) while
   * the running sequences' next decodes wait, so the batch loop lets the lock go.
   */
  async prepare<T>(work: () => Promise<T>): Promise<T> {
    if (!this.installed) return work();
    this.preparing += 1;
    this.gate ??= new Promise<void>((resolve) => {
      this.openGate = resolve;
    });
    try {
      return await work();
    } finally {
      this.preparing -= 1;
      if (this.preparing === 0) {
        this.gate = undefined;
        this.openGate?.();
      }
    }
  }

  /** Whether the generation on `sequence` may be paused now (see `pausable`). */
  pausable(sequence: LlamaContextSequence): boolean {
    const steps = this.steps.get(this.idOf.get(sequence) ?? -1);
    return this.installed && steps !== undefined && pausable(steps, this.policy);
  }

  /**
   * Stops the generation on `sequence` between two tokens (its next decode waits) until
   * `resume`; its tokens stay in the sequence, and its stream simply pauses.
   */
  pause(sequence: LlamaContextSequence): void {
    const id = this.idOf.get(sequence);
    if (id === undefined || this.paused.has(id)) return;
    let resume = () => undefined as void;
    const until = new Promise<void>((resolve) => {
      resume = resolve;
    });
    this.paused.set(id, { until, resume });
  }

  resume(sequence: LlamaContextSequence): void {
    const id = this.idOf.get(sequence);
    const pause = id === undefined ? undefined : this.paused.get(id);
    if (id === undefined || !pause) return;
    this.paused.delete(id);
    const steps = this.steps.get(id);
    if (steps) steps.sinceResume = 0;
    pause.resume();
  }

  /** A sequence's request ended: its next decode starts a new generation. */
  finished(sequence: LlamaContextSequence): void {
    const id = this.idOf.get(sequence);
    if (id === undefined) return;
    this.resume(sequence);
    this.steps.delete(id);
    this.short.delete(id);
    // No short work left: the long generations go on at once.
    if (this.short.size === 0) for (const entry of [...this.held]) entry.release();
  }

  /** Notes a decode about to be queued; returns what it waits for first, if it is held. */
  private holdFor(item: QueuedDecode): Promise<void> | undefined {
    const batch = this.stats.batches;
    const singleToken = item.tokens?.length === 1;
    const id = item.sequenceId;
    const steps = this.steps.get(id) ?? { stepsInRow: 0, lastJoined: batch, sinceResume: 0 };
    const wasPausable = pausable(steps, this.policy);
    steps.stepsInRow = singleToken ? steps.stepsInRow + 1 : 0;
    steps.sinceResume += 1;
    this.steps.set(id, steps);
    if (!wasPausable && pausable(steps, this.policy) && this.onPausable) {
      // Outside this decode's queueing: the pool may pause this very sequence.
      queueMicrotask(this.onPausable);
    }
    if (steps.stepsInRow < this.policy.longAfterSteps) this.short.add(id);
    else this.short.delete(id);
    const step = { singleToken, stepsInRow: steps.stepsInRow, batch, lastJoined: steps.lastJoined };
    if (!holdsStep(step, this.short.size > 0, this.policy)) {
      steps.lastJoined = batch;
      return undefined;
    }
    this.stats.heldSteps += 1;
    const due = steps.lastJoined + this.policy.joinEvery;
    steps.lastJoined = due;
    return new Promise<void>((resolve) => {
      const entry = { due, release: () => undefined as void };
      const timer = setTimeout(() => entry.release(), MAX_HOLD_MS);
      timer.unref();
      entry.release = () => {
        clearTimeout(timer);
        this.held = this.held.filter((other) => other !== entry);
        resolve();
      };
      this.held.push(entry);
    });
  }

  /** After a batch: queues the held steps whose batch came. */
  private releaseHeld(): void {
    for (const entry of [...this.held]) if (entry.due <= this.stats.batches) entry.release();
  }

  private turn: Promise<void> | undefined;
  private turnSequences: number[] = [];

  private nextTurn(sequenceId: number): Promise<void> {
    this.stats.sequenceSteps += 1;
    if (this.turn) {
      this.turnSequences.push(sequenceId);
      return this.turn;
    }
    const batchOrder = [sequenceId];
    this.turnSequences = batchOrder;
    const current = new Promise<void>((resolve) =>
      setImmediate(() => {
        resolve();
        // The batch's other sequences call in right after this resolves (microtasks) and must
        // share it; the next batch needs a native decode and sampling first, which complete
        // in later event-loop turns than this one.
        setImmediate(() => {
          if (this.turn === current) this.turn = undefined;
          // Both counters move together, so a reader between a batch's start and end never sees
          // a batch without its passes (the metrics are read while batches run).
          this.stats.batches += 1;
          this.stats.passes += decodePasses(batchOrder);
          this.releaseHeld();
        });
      }),
    );
    this.turn = current;
    return current;
  }
}
