import { describe, expect, it } from "vitest";
import { OverloadedError, SlotPool } from "./slot-pool.ts";

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
