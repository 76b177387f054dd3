import { describe, expect, it } from "vitest";
import { createSignUpThrottle } from "./signup-throttle.ts";

describe("sign-up throttle", () => {
  it("allows maxPerClient sign-ups per window and then says how long to wait", () => {
    let now = 0;
    const t = createSignUpThrottle({ maxPerClient: 2, windowMs: 60_000, now: () => now });
    expect(t.take("198.51.100.1")).toBe(0);
    now += 10_000;
    expect(t.take("198.51.100.1")).toBe(0);
    expect(t.take("198.51.100.1")).toBe(50);
    // A refusal is not counted: the wait does not grow.
    expect(t.take("198.51.100.1")).toBe(50);
    expect(t.take("198.51.100.2")).toBe(0);
    now += 50_000;
    expect(t.take("198.51.100.1")).toBe(0);
  });

  it("counts every address of an IPv6 /64 as one client", () => {
    const t = createSignUpThrottle({ maxPerClient: 2, windowMs: 60_000, now: () => 0 });
    expect(t.take("2001:db8:7:8::1")).toBe(0);
    expect(t.take("2001:db8:7:8::2")).toBe(0);
    expect(t.take("2001:db8:7:8:ffff::3")).toBe(60);
    expect(t.take("2001:db8:7:9::1")).toBe(0);
  });

  it("does not limit internal calls that carry no address", () => {
    const t = createSignUpThrottle({ maxPerClient: 1, windowMs: 60_000, now: () => 0 });
    for (let i = 0; i < 5; i += 1) expect(t.take(undefined)).toBe(0);
  });
});
