import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { RefusalPace } from "./refusal-pace.ts";

describe("RefusalPace", () => {
  it("holds only a refusal asked for before the last Retry-After ended, at most the cap", () => {
    let now = 0;
    const pace = new RefusalPace(1_000, undefined, () => now);
    expect(pace.delayFor("user:a", 2)).toBe(0);
    now = 500;
    // 1.5 s of the 2 s Retry-After were left: held for the cap.
    expect(pace.delayFor("user:a", 2)).toBe(1_000);
    // That refusal went out at 1.5 s with 2 s more to wait; back at 3.2 s, 0.3 s were left.
    now = 3_200;
    expect(pace.delayFor("user:a", 2)).toBe(300);
    // Another key is not held for a's loop.
    expect(pace.delayFor("ip:b", 2)).toBe(0);
  });

  it("never holds a client that waited as it was told", () => {
    let now = 0;
    const pace = new RefusalPace(1_000, undefined, () => now);
    pace.delayFor("user:a", 2);
    now = 2_000;
    expect(pace.delayFor("user:a", 2)).toBe(0);
  });

  it("holds nothing with a cap of 0", () => {
    const pace = new RefusalPace(0);
    pace.delayFor("user:a", 60);
    expect(pace.delayFor("user:a", 60)).toBe(0);
  });

  it("waits before a repeated refusal, counts it, and stops waiting when the client leaves", async () => {
    let held = 0;
    const pace = new RefusalPace(200, () => (held += 1));
    const response = () =>
      Object.assign(new EventEmitter(), {
        destroyed: false,
        writableEnded: false,
      }) as unknown as ServerResponse;
    expect(await pace.hold(response(), "user:a", 5)).toBe(true);
    expect(held).toBe(0);

    const started = performance.now();
    expect(await pace.hold(response(), "user:a", 5)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(held).toBe(1);

    const leaving = response();
    const holding = pace.hold(leaving, "user:a", 5);
    Object.assign(leaving, { destroyed: true });
    leaving.emit("close");
    const quick = performance.now();
    expect(await holding).toBe(false);
    expect(performance.now() - quick).toBeLessThan(150);
  });
});
