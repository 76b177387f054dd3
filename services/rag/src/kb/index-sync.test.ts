import { describe, expect, it } from "vitest";
import { IndexSync } from "./index-sync.ts";

/** A promise with its resolve, to hold a rebuild open. */
function held(): { promise: Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** An IndexSync on a fake clock over a version the test sets, counting reads and rebuilds. */
function harness(intervalMs: number) {
  const state = {
    clock: 0,
    version: "v1",
    reads: 0,
    rebuilds: 0,
    hold: undefined as Promise<void> | undefined,
  };
  const errors: unknown[] = [];
  const sync = new IndexSync({
    intervalMs,
    now: () => state.clock,
    readVersion: () => {
      state.reads += 1;
      return Promise.resolve(state.version);
    },
    rebuild: async () => {
      state.rebuilds += 1;
      await state.hold;
    },
    onError: (error) => errors.push(error),
  });
  /** Moves the clock to `clock`, pokes and waits for what the poke set off. */
  const lookAt = async (clock: number) => {
    state.clock = clock;
    sync.poke();
    await sync.settled();
  };
  /** After the first load, sets off a rebuild for a new version that stays open until released. */
  const startHeldRebuild = async () => {
    await sync.rebuildNow();
    const rebuild = held();
    state.hold = rebuild.promise;
    state.version = "v2";
    sync.poke();
    await turn();
    return rebuild;
  };
  return { sync, state, errors, lookAt, startHeldRebuild };
}

describe("IndexSync", () => {
  it("reads the version at most once per interval, and rebuilds only when it changed", async () => {
    const { sync, state, lookAt } = harness(2_000);
    await sync.rebuildNow();
    expect(state).toMatchObject({ reads: 1, rebuilds: 1 });

    // The load at start-up counts as a look.
    await lookAt(1_999);
    expect(state.reads).toBe(1);

    await lookAt(2_000);
    expect(state).toMatchObject({ reads: 2, rebuilds: 1 });

    state.version = "v2";
    await lookAt(3_999);
    expect(state.reads).toBe(2);

    await lookAt(4_000);
    expect(state).toMatchObject({ reads: 3, rebuilds: 2 });

    await lookAt(6_000);
    expect(state).toMatchObject({ reads: 4, rebuilds: 2 });
  });

  it("with an interval of 0 looks before every search", async () => {
    const { sync, state } = harness(0);
    await sync.rebuildNow();
    for (let i = 0; i < 3; i += 1) {
      sync.poke();
      await sync.settled();
    }
    expect(state).toMatchObject({ reads: 4, rebuilds: 1 });
  });

  it("with an interval of Infinity never looks, even before the first load", async () => {
    const { state, lookAt } = harness(Number.POSITIVE_INFINITY);
    await lookAt(1e12);
    expect(state).toMatchObject({ reads: 0, rebuilds: 0 });
  });

  it("never waits for a rebuild, runs one at a time, and redoes it when a write came meanwhile", async () => {
    const { sync, state, startHeldRebuild } = harness(0);
    const rebuild = await startHeldRebuild();
    expect(sync.busy).toBe(true);
    expect(state.rebuilds).toBe(2);

    // Pokes during the rebuild return at once and start nothing.
    const started = performance.now();
    for (let i = 0; i < 100; i += 1) sync.poke();
    expect(performance.now() - started).toBeLessThan(50);
    expect(state).toMatchObject({ reads: 2, rebuilds: 2 });

    // A write lands while it runs: the version it read was v2, so the next poke rebuilds again.
    state.version = "v3";
    rebuild.release();
    await sync.settled();
    state.hold = undefined;
    sync.poke();
    await sync.settled();
    expect(state).toMatchObject({ reads: 3, rebuilds: 3 });
  });

  it("reports a failed check, keeps the old version and tries again after the interval", async () => {
    const { sync, state, errors, lookAt } = harness(1_000);
    await sync.rebuildNow();
    state.version = "v2";
    state.hold = Promise.reject(new Error("Chroma is down"));
    state.hold.catch(() => undefined);
    await lookAt(1_000);
    expect(errors).toEqual([new Error("Chroma is down")]);

    state.hold = undefined;
    await lookAt(1_500);
    expect(state.rebuilds).toBe(2);
    await lookAt(2_000);
    expect(state.rebuilds).toBe(3);
    expect(errors).toHaveLength(1);
  });

  it("a forced rebuild waits for the background one instead of running beside it", async () => {
    const { sync, state, startHeldRebuild } = harness(0);
    const rebuild = await startHeldRebuild();
    let forcedDone = false;
    const forced = sync.rebuildNow().then(() => (forcedDone = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state.rebuilds).toBe(2);
    expect(forcedDone).toBe(false);
    rebuild.release();
    await forced;
    expect(state.rebuilds).toBe(3);
  });
});
