import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";

/** How many decode batches ran and how many sequence steps they carried (their mean width). */
export interface BatchStats {
  batches: number;
  sequenceSteps: number;
}

type AnyFunction = (...args: never[]) => unknown;

// Internal (underscore) members of node-llama-cpp 3.x that this module wraps; checked at
// install time so that a node-llama-cpp that changed them degrades to its own scheduling.
// - A sequence's after-batch hook, awaited by the context's batch loop after every batch.
const AFTER_BATCH = "_takeIntervalCheckpointIfNeededAfterBatch";
// - The context's entry point that queues a sequence's tokens for the next batch.
const QUEUE_DECODE = "_decodeTokens";

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
 * 2. Starved newcomers. The batch loop holds the context lock from batch to batch while any
 *    sequence has tokens queued, and a new request must take that lock to erase what its
 *    sequence held from an earlier request. Under load it waited until every running
 *    generation had finished: 8 streams ran as a few waves instead of side by side. Now,
 *    while a newcomer prepares its sequence, the running sequences' next tokens are held
 *    back for a moment, the loop finds nothing queued and lets the lock go, the newcomer
 *    erases, and everyone (newcomer included) goes on in the next batch.
 */
export class BatchScheduler {
  readonly stats: BatchStats = { batches: 0, sequenceSteps: 0 };
  private preparing = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private installed = false;

  /** Wraps the context and its sequences; false (nothing changed) if node-llama-cpp changed. */
  install(context: LlamaContext, sequences: readonly LlamaContextSequence[]): boolean {
    const queueDecode = member(context, QUEUE_DECODE);
    const hooks = sequences.map((sequence) => member(sequence, AFTER_BATCH));
    if (typeof queueDecode !== "function" || !hooks.every((hook) => typeof hook === "function")) {
      return false;
    }
    const queue = (queueDecode as AnyFunction).bind(context) as (...args: unknown[]) => unknown;
    replaceMember(context, QUEUE_DECODE, (...args: unknown[]) =>
      this.gate ? this.gate.then(() => queue(...args)) : queue(...args),
    );
    sequences.forEach((sequence, index) => {
      const original = hooks[index] as (length: number) => unknown;
      replaceMember(sequence, AFTER_BATCH, (length: number) => {
        const result = original(length);
        return result instanceof Promise ? Promise.all([result, this.nextTurn()]) : this.nextTurn();
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

  private turn: Promise<void> | undefined;

  private nextTurn(): Promise<void> {
    this.stats.sequenceSteps += 1;
    if (this.turn) return this.turn;
    this.stats.batches += 1;
    const current = new Promise<void>((resolve) =>
      setImmediate(() => {
        resolve();
        // The batch's other sequences call in right after this resolves (microtasks) and must
        // share it; the next batch needs a native decode and sampling first, which complete
        // in later event-loop turns than this one.
        setImmediate(() => {
          if (this.turn === current) this.turn = undefined;
        });
      }),
    );
    this.turn = current;
    return current;
  }
}
