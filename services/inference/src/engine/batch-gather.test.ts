import { describe, expect, it } from "vitest";
import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";
import { BatchScheduler, RUN_AFTER_RESUME, decodePasses, holdsStep } from "./batch-gather.ts";
import type { YieldPolicy } from "./batch-gather.ts";

describe("decodePasses", () => {
  it("is one pass for consecutive sequence ids in increasing order", () => {
    expect(decodePasses([0, 1, 2, 3, 4, 5, 6, 7])).toBe(1);
    expect(decodePasses([3, 4, 5])).toBe(1);
    expect(decodePasses([6])).toBe(1);
  });

  it("splits where the ids do not count up by one", () => {
    // Rotated, as node-llama-cpp's queue order left it: 7 alone, then 0 to 6.
    expect(decodePasses([7, 0, 1, 2, 3, 4, 5, 6])).toBe(2);
    // A gap: 0 and 2 cannot share a pass.
    expect(decodePasses([0, 2])).toBe(2);
    // A pass skips ids that do not fit and picks up later ones that do.
    expect(decodePasses([0, 1, 3, 2])).toBe(2);
    expect(decodePasses([3, 2, 1, 0])).toBe(4);
  });

  it("is no pass for an empty batch", () => {
    expect(decodePasses([])).toBe(0);
  });
});

describe("holdsStep", () => {
  const policy = { longAfterSteps: 10, joinEvery: 4 };
  const step = (stepsInRow: number, batch: number, lastJoined: number, singleToken = true) => ({
    singleToken,
    stepsInRow,
    batch,
    lastJoined,
  });

  it("holds a long generation's step that joined a batch within the last joinEvery", () => {
    expect(holdsStep(step(10, 101, 100), true, policy)).toBe(true);
    expect(holdsStep(step(50, 103, 100), true, policy)).toBe(true);
  });

  it("lets it join once joinEvery batches passed, so it is never starved", () => {
    expect(holdsStep(step(50, 104, 100), true, policy)).toBe(false);
  });

  it("never holds a generation in its first steps, a prompt, or anything when no short work runs", () => {
    expect(holdsStep(step(9, 101, 100), true, policy)).toBe(false);
    expect(holdsStep(step(0, 101, 100, false), true, policy)).toBe(false);
    expect(holdsStep(step(50, 101, 100), false, policy)).toBe(false);
  });
});

// The shape of node-llama-cpp 3.x's internals that BatchScheduler wraps; the real thing is
// exercised through HTTP in openai/ignore-eos-and-batching.test.ts.
function fakeContext(sequenceCount: number, policy?: YieldPolicy) {
  const context = {
    _queuedDecodes: [] as Array<{ sequenceId: number; tokens?: number[] }>,
    _decodeTokens(item: { sequenceId: number; tokens?: number[] }) {
      this._queuedDecodes.push(item);
      return Promise.resolve();
    },
  };
  const sequences = Array.from({ length: sequenceCount }, (_, id) => ({
    _sequenceId: id,
    _takeIntervalCheckpointIfNeededAfterBatch: (_length: number) => undefined as unknown,
  }));
  const scheduler = new BatchScheduler(policy);
  const installed = scheduler.install(
    context as unknown as LlamaContext,
    sequences as unknown as LlamaContextSequence[],
  );
  return { context, sequences, scheduler, installed };
}

const nextEventLoopTurns = () =>
  new Promise<void>((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))));

describe("BatchScheduler", () => {
  it("keeps the decode queue in sequence id order, whatever order they queue in", async () => {
    const { context, installed } = fakeContext(4);
    expect(installed).toBe(true);
    for (const sequenceId of [2, 0, 3, 1]) void context._decodeTokens({ sequenceId });
    expect(context._queuedDecodes.map((item) => item.sequenceId)).toEqual([0, 1, 2, 3]);
  });

  it("counts a batch's passes from the order its sequences finished in", async () => {
    const { sequences, scheduler } = fakeContext(4);
    const afterBatch = (id: number) => sequences[id]?._takeIntervalCheckpointIfNeededAfterBatch(1);
    // One batch in order, then one whose sequences came back as 1, 0.
    await Promise.all([afterBatch(0), afterBatch(1)]);
    await nextEventLoopTurns();
    await Promise.all([afterBatch(1), afterBatch(0)]);
    await nextEventLoopTurns();
    expect(scheduler.stats).toEqual({ batches: 2, sequenceSteps: 4, passes: 3, heldSteps: 0 });
  });

  it("holds a long generation's steps while a short one runs, and lets them go when it ends", async () => {
    const { context, sequences, scheduler } = fakeContext(2, { longAfterSteps: 2, joinEvery: 2 });
    const [long, short] = sequences;
    if (!long || !short) throw new Error("two sequences");
    // One batch: what was queued is taken, the sequences that ran call their after-batch hooks.
    const batch = async () => {
      const ran = context._queuedDecodes.splice(0);
      await Promise.all(
        ran.map((item) => sequences[item.sequenceId]?._takeIntervalCheckpointIfNeededAfterBatch(1)),
      );
      await nextEventLoopTurns();
    };
    const step = (sequenceId: number, tokens = [1]) =>
      void context._decodeTokens({ sequenceId, tokens });
    const queuedIds = () => context._queuedDecodes.map((item) => item.sequenceId);

    // Sequence 0 grows long alone: nothing is held.
    step(0, [1, 2, 3]);
    await batch();
    step(0);
    await batch();
    step(0);
    expect(queuedIds()).toEqual([0]);
    await batch();
    // A prompt arrives on sequence 1: sequence 0's next step waits out a batch.
    step(1, [1, 2, 3, 4]);
    step(0);
    expect(queuedIds()).toEqual([1]);
    await batch();
    expect(queuedIds()).toEqual([0]);
    expect(scheduler.stats.heldSteps).toBe(1);
    // Held again; the short request ends and the held step goes at once.
    step(1);
    await batch();
    step(0);
    expect(queuedIds()).toEqual([]);
    scheduler.finished(short as unknown as LlamaContextSequence);
    await Promise.resolve();
    expect(queuedIds()).toEqual([0]);
  });

  it("pauses a long generation's decodes until resumed, and lets it run before pausing again", async () => {
    const { context, sequences, scheduler } = fakeContext(1, { longAfterSteps: 2, joinEvery: 2 });
    const [sequence] = sequences as unknown as LlamaContextSequence[];
    if (!sequence) throw new Error("one sequence");
    let pausableCalls = 0;
    scheduler.onPausable = () => (pausableCalls += 1);
    const step = () => void context._decodeTokens({ sequenceId: 0, tokens: [1] });
    const queued = () => context._queuedDecodes.splice(0).length;
    // Short at first, then long and past RUN_AFTER_RESUME steps: pausable, and the pool is told.
    for (let i = 0; i < RUN_AFTER_RESUME; i++) step();
    expect(queued()).toBe(RUN_AFTER_RESUME);
    expect(scheduler.pausable(sequence)).toBe(true);
    await Promise.resolve();
    expect(pausableCalls).toBe(1);
    scheduler.pause(sequence);
    step();
    await Promise.resolve();
    expect(queued()).toBe(0);
    scheduler.resume(sequence);
    await Promise.resolve();
    await Promise.resolve();
    expect(queued()).toBe(1);
    // Just resumed: not pausable until it has run RUN_AFTER_RESUME steps again.
    expect(scheduler.pausable(sequence)).toBe(false);
    for (let i = 0; i < RUN_AFTER_RESUME; i++) step();
    expect(scheduler.pausable(sequence)).toBe(true);
    // Its request ends: nothing stays paused.
    scheduler.pause(sequence);
    step();
    scheduler.finished(sequence);
    await Promise.resolve();
    await Promise.resolve();
    expect(queued()).toBe(RUN_AFTER_RESUME + 1);
  });

  it("leaves a context it does not recognise alone", () => {
    const scheduler = new BatchScheduler();
    expect(scheduler.install({} as LlamaContext, [])).toBe(false);
  });
});
