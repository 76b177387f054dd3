import { describe, expect, it } from "vitest";
import { OverloadedError, OverShareError, SlotPool } from "./slot-pool.ts";

const person = (caller: string) => ({ caller, background: false });

/** A lease being waited for, and whether it has been granted yet. */
function tracked<T>(lease: Promise<T>): { lease: Promise<T>; granted: () => boolean } {
  let granted = false;
  return {
    lease: lease.then((value) => {
      granted = true;
      return value;
    }),
    granted: () => granted,
  };
}

describe("SlotPool", () => {
  it("hands out free slots, then queues in FIFO order, then refuses with a Retry-After", async () => {
    const pool = new SlotPool(["a", "b"], 2);
    const first = await pool.acquire({});
    const second = await pool.acquire({});
    expect([first.slot, second.slot].sort()).toEqual(["a", "b"]);
    const order: string[] = [];
    const third = pool.acquire({}).then((lease) => (order.push("third"), lease));
    const fourth = pool.acquire({}).then((lease) => (order.push("fourth"), lease));
    expect(pool.queued).toBe(2);
    const refused = await pool.acquire({}).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OverloadedError);
    expect((refused as OverloadedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    first.release();
    second.release();
    const [t, f] = await Promise.all([third, fourth]);
    expect(order).toEqual(["third", "fourth"]);
    expect(pool.busy).toBe(2);
    t.release();
    f.release();
    f.release(); // a second release is harmless
    expect(pool.busy).toBe(0);
  });

  it("drops a waiter whose signal aborts and serves the next one", async () => {
    const pool = new SlotPool(["only"], 4);
    const held = await pool.acquire({});
    const controller = new AbortController();
    const gone = pool.acquire({ signal: controller.signal }).catch((error: unknown) => error);
    const next = pool.acquire({});
    controller.abort(new Error("client left"));
    expect(((await gone) as Error).message).toBe("client left");
    expect(pool.queued).toBe(1);
    held.release();
    expect((await next).slot).toBe("only");
  });

  it("lets the caller pick among free slots", async () => {
    const pool = new SlotPool(["x", "y", "z"], 0);
    const lease = await pool.acquire({ pick: (free) => free.find((s) => s === "z") ?? "x" });
    expect(lease.slot).toBe("z");
  });
});

describe("SlotPool fairness between callers", () => {
  it("gives a freed slot to the caller holding the fewest, not to the first in line", async () => {
    const pool = new SlotPool(["only"], 8);
    const held = await pool.acquire({ ticket: person("flooder") });
    const order: string[] = [];
    const waits = [
      ...["f1", "f2", "f3"].map((name) =>
        pool.acquire({ ticket: person("flooder") }).then((lease) => {
          order.push(name);
          lease.release();
        }),
      ),
      pool.acquire({ ticket: person("owner") }).then((lease) => {
        order.push("owner");
        lease.release();
      }),
    ];
    held.release();
    await Promise.all(waits);
    expect(order[0]).toBe("owner");
    expect(order.slice(1)).toEqual(["f1", "f2", "f3"]);
  });

  it("alternates between two busy callers instead of serving one burst first", async () => {
    const pool = new SlotPool(["only"], 8);
    const held = await pool.acquire({ ticket: person("a") });
    const order: string[] = [];
    const waits = ["a", "a", "a", "b", "b", "b"].map((caller) =>
      pool.acquire({ ticket: person(caller) }).then((lease) => {
        order.push(caller);
        lease.release();
      }),
    );
    held.release();
    await Promise.all(waits);
    expect(order).toEqual(["b", "a", "b", "a", "b", "a"]);
  });

  it("serves background work only when no person's request waits", async () => {
    const pool = new SlotPool(["only"], 8);
    const held = await pool.acquire({ ticket: person("a") });
    const order: string[] = [];
    const title = pool.acquire({ ticket: { caller: "a", background: true } }).then((lease) => {
      order.push("title");
      lease.release();
    });
    const question = pool.acquire({ ticket: person("b") }).then((lease) => {
      order.push("question");
      lease.release();
    });
    held.release();
    await Promise.all([title, question]);
    expect(order).toEqual(["question", "title"]);
  });

  it("when the queue is full, a newcomer takes the place of the heaviest caller's newest request", async () => {
    const pool = new SlotPool(["only"], 3);
    const held = await pool.acquire({ ticket: person("flooder") });
    const outcomes = ["f1", "f2", "f3"].map((name) =>
      pool.acquire({ ticket: person("flooder") }).then(
        (lease) => (lease.release(), name),
        (error: unknown) => error,
      ),
    );
    const owner = pool.acquire({ ticket: person("owner") });
    const refused = await outcomes[2];
    expect(refused).toBeInstanceOf(OverShareError);
    expect((refused as OverShareError).appCode).toBe("RATE_LIMITED");
    held.release();
    const lease = await owner;
    expect(lease.slot).toBe("only");
    lease.release();
    expect(await outcomes[0]).toBe("f1");
    expect(await outcomes[1]).toBe("f2");
  });

  it("refuses a caller over its share with 429 and an ordinary newcomer to a full queue with 503", async () => {
    const pool = new SlotPool(["only"], 4);
    const held = await pool.acquire({ ticket: person("x") });
    const waiting = [
      pool.acquire({ ticket: person("a") }),
      pool.acquire({ ticket: person("a") }),
      pool.acquire({ ticket: person("b") }),
      pool.acquire({ ticket: person("b") }),
    ];
    // Both callers hold their even share (2 of 4): a third from "a" is over it.
    const overShare = await pool.acquire({ ticket: person("a") }).catch((error: unknown) => error);
    expect(overShare).toBeInstanceOf(OverShareError);
    // A newcomer with nothing queued takes a place from one of them rather than being refused.
    const newcomer = pool.acquire({ ticket: person("c") });
    expect(pool.queued).toBe(4);
    // A background job finds the queue full of people's requests: the machine is full for it.
    const background = await pool
      .acquire({ ticket: { caller: "c", background: true } })
      .catch((error: unknown) => error);
    expect(background).toBeInstanceOf(OverloadedError);
    const served = [...waiting, newcomer].map((wait) =>
      wait.then(
        (lease) => (lease.release(), "served"),
        (error: unknown) => error,
      ),
    );
    held.release();
    const outcomes = await Promise.all(served);
    expect(outcomes.filter((o) => o instanceof OverShareError)).toHaveLength(1);
    expect(outcomes.filter((o) => o === "served")).toHaveLength(4);
    expect(pool.busy).toBe(0);
  });
});

describe("SlotPool's per-caller cap", () => {
  it("holds a caller to a fixed cap, leaving the other slots to others", async () => {
    const pool = new SlotPool(["a", "b", "c", "d"], 8, 2, () => 0);
    const held = [
      await pool.acquire({ ticket: person("flooder") }),
      await pool.acquire({ ticket: person("flooder") }),
    ];
    const waiting = tracked(pool.acquire({ ticket: person("flooder") }));
    await Promise.resolve();
    expect(waiting.granted()).toBe(false);
    expect(pool.busy).toBe(2);
    const owner = await pool.acquire({ ticket: person("owner") });
    expect(owner.slot).toBeDefined();
    held[0]?.release();
    (await waiting.lease).release();
    expect(waiting.granted()).toBe(true);
    owner.release();
    held[1]?.release();
    expect(pool.busy).toBe(0);
  });
});

describe("SlotPool's fair split between active callers", () => {
  it("never lets one caller take more than half, even alone, so that a newcomer finds a slot", async () => {
    const pool = new SlotPool(["a", "b", "c", "d"], 8, "fair", () => 0);
    await pool.acquire({ ticket: person("burst") });
    await pool.acquire({ ticket: person("burst") });
    const third = pool.acquire({ ticket: person("burst") });
    expect(pool.busy).toBe(2);
    expect(pool.queued).toBe(1);
    const owner = await pool.acquire({ ticket: person("owner") });
    expect(pool.busy).toBe(3);
    owner.release();
    void third.catch(() => undefined);
  });

  it("lets each of the active callers hold an even share, at least one", async () => {
    const pool = new SlotPool(["a", "b", "c", "d"], 8, "fair", () => 0);
    const flood = [
      await pool.acquire({ ticket: person("flooder") }),
      await pool.acquire({ ticket: person("flooder") }),
    ];
    // Two active callers: two slots each. The flooder's third waits; the owner's first does not.
    await pool.acquire({ ticket: person("owner") });
    const waiting = tracked(pool.acquire({ ticket: person("flooder") }));
    await Promise.resolve();
    expect(waiting.granted()).toBe(false);
    // Four active callers: one slot each; the flooder, holding two, gets nothing more...
    await pool.acquire({ ticket: person("c") });
    flood[0]?.release();
    await Promise.resolve();
    expect(waiting.granted()).toBe(false);
    // ...until it holds less than its share again.
    flood[1]?.release();
    (await waiting.lease).release();
    expect(waiting.granted()).toBe(true);
  });
});

describe("SlotPool's memory of callers", () => {
  it("forgets callers gone quiet, however many have asked", async () => {
    let now = 0;
    const pool = new SlotPool(["a"], 4, "fair", () => now);
    for (let i = 0; i < 5_000; i++) {
      now += 1_000;
      (await pool.acquire({ ticket: { caller: `user:${i}`, background: false } })).release();
    }
    // Only the callers of the last minute are remembered.
    const seen = (pool as unknown as { seen: Map<string, number> }).seen;
    expect(seen.size).toBeLessThanOrEqual(1_100);
  });
});

describe("SlotPool with preemption", () => {
  /**
   * Three slots, two decoding at once; records pauses; `long` lists the pausable slots (a
   * resumed generation is not, as the batch scheduler has it run a while first).
   */
  function preemptingPool(options: { now?: () => number; perCaller?: number | "fair" } = {}) {
    const events: string[] = [];
    const long = new Set<string>();
    const pool = new SlotPool(["a", "b", "c"], 8, options.perCaller ?? 0, options.now, {
      running: 2,
      maxPauseMs: 1_000,
      pausable: (slot) => long.has(slot),
      pause: (slot) => events.push(`pause ${slot}`),
      resume: (slot) => {
        long.delete(slot);
        events.push(`resume ${slot}`);
      },
    });
    return { pool, events, long };
  }

  it("pauses a flooding caller's long generation for a waiting person and resumes it after", async () => {
    const { pool, events, long } = preemptingPool();
    const flood1 = await pool.acquire({ ticket: person("flooder") });
    const flood2 = await pool.acquire({ ticket: person("flooder") });
    // The flooder has more work waiting; its first generation is long.
    const flood3 = tracked(pool.acquire({ ticket: person("flooder") }));
    long.add(flood1.slot);
    const turn = tracked(pool.acquire({ ticket: person("alice") }));
    await Promise.resolve();
    expect(turn.granted()).toBe(true);
    expect((await turn.lease).slot).toBe("c");
    expect(events).toEqual([`pause ${flood1.slot}`]);
    expect(pool.paused).toBe(1);
    // Alice's answer ends: the paused generation goes on before the flooder's next request.
    (await turn.lease).release();
    expect(events).toEqual([`pause ${flood1.slot}`, `resume ${flood1.slot}`]);
    expect(flood3.granted()).toBe(false);
    flood1.release();
    expect((await flood3.lease).slot).toBeDefined();
    flood2.release();
  });

  it("never pauses a generation for its own caller, nor one that is not long", async () => {
    const { pool, events, long } = preemptingPool();
    const first = await pool.acquire({ ticket: person("alice") });
    await pool.acquire({ ticket: person("bob") });
    long.add(first.slot);
    // Alice alone with more requests: her own long generation goes on.
    const again = tracked(pool.acquire({ ticket: person("alice") }));
    await Promise.resolve();
    expect(again.granted()).toBe(false);
    // Carol waits: Alice holds more than Carol and has more waiting, so her long generation
    // pauses; Bob's, not long, does not.
    const carol = tracked(pool.acquire({ ticket: person("carol") }));
    await Promise.resolve();
    expect(carol.granted()).toBe(true);
    expect(events).toEqual([`pause ${first.slot}`]);
  });

  it("pauses nothing while the caller of the long generation has no other work and holds its share", async () => {
    const { pool, events, long } = preemptingPool();
    const single = await pool.acquire({ ticket: person("writer") });
    await pool.acquire({ ticket: person("bob") });
    long.add(single.slot);
    const carol = tracked(pool.acquire({ ticket: person("carol") }));
    await Promise.resolve();
    expect(carol.granted()).toBe(false);
    expect(events).toEqual([]);
  });

  it("never starves a paused generation: once paused maxPauseMs it takes the next freed slot", async () => {
    let now = 0;
    const { pool, events, long } = preemptingPool({ now: () => now });
    const flood = await pool.acquire({ ticket: person("flooder") });
    const bob = await pool.acquire({ ticket: person("bob") });
    void pool.acquire({ ticket: person("flooder") }).catch(() => undefined);
    long.add(flood.slot);
    const alice = await pool.acquire({ ticket: person("alice") });
    expect(events).toEqual([`pause ${flood.slot}`]);
    // People keep waiting; within maxPauseMs the freed slot goes to them.
    const dave = tracked(pool.acquire({ ticket: person("dave") }));
    const erin = tracked(pool.acquire({ ticket: person("erin") }));
    bob.release();
    await Promise.resolve();
    expect(dave.granted()).toBe(true);
    expect(events).toEqual([`pause ${flood.slot}`]);
    // Past maxPauseMs: the next freed slot resumes it, though Erin still waits.
    now = 1_000;
    alice.release();
    await Promise.resolve();
    expect(events).toEqual([`pause ${flood.slot}`, `resume ${flood.slot}`]);
    expect(erin.granted()).toBe(false);
  });

  it("resumes a paused generation at once when its client leaves", async () => {
    const { pool, events, long } = preemptingPool();
    const controller = new AbortController();
    const flood = await pool.acquire({ ticket: person("flooder"), signal: controller.signal });
    await pool.acquire({ ticket: person("bob") });
    void pool.acquire({ ticket: person("flooder") }).catch(() => undefined);
    long.add(flood.slot);
    await pool.acquire({ ticket: person("alice") });
    controller.abort(new Error("client left"));
    expect(events).toEqual([`pause ${flood.slot}`, `resume ${flood.slot}`]);
    flood.release();
    expect(pool.paused).toBe(0);
  });
});
