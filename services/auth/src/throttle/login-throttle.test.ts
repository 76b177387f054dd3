import { describe, expect, it } from "vitest";
import { createLoginThrottle } from "./login-throttle.ts";

const MINUTE = 60_000;

function throttle(overrides: Partial<Parameters<typeof createLoginThrottle>[0]> = {}) {
  let now = Date.parse("2025-06-01T00:00:00Z");
  const t = createLoginThrottle({
    freeFailures: 3,
    maxFailuresPerIp: 10,
    windowMs: 15 * MINUTE,
    baseDelayMs: 10_000,
    knownClientMs: 24 * 60 * MINUTE,
    now: () => now,
    ...overrides,
  });
  return { t, advance: (ms: number) => (now += ms) };
}

const fail = (
  t: ReturnType<typeof throttle>["t"],
  times: number,
  ip: string,
  account = "a@x.io",
) => {
  for (let i = 0; i < times; i += 1) t.recordFailure(account, ip);
};

describe("login throttle", () => {
  it("lets the free failures through, then doubles the delay with each further one, up to the window", () => {
    const { t, advance } = throttle();
    fail(t, 3, "198.51.100.1");
    expect(t.retryAfterSeconds("a@x.io", "198.51.100.1")).toBe(10);
    const waits: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const wait = t.retryAfterSeconds("a@x.io", "198.51.100.1");
      waits.push(wait);
      advance(wait * 1000);
      expect(t.retryAfterSeconds("a@x.io", "198.51.100.1")).toBe(0);
      fail(t, 1, "198.51.100.1");
    }
    expect(waits).toEqual([10, 20, 40, 80, 160, 320, 640, 900]);
  });

  it("forgets failures a window after their delay has passed", () => {
    const { t, advance } = throttle();
    fail(t, 4, "198.51.100.1");
    advance(20_000 + 15 * MINUTE);
    fail(t, 3, "198.51.100.1");
    // Counting started again: three failures are free.
    expect(t.retryAfterSeconds("a@x.io", "198.51.100.1")).toBe(10);
  });

  it("never slows a known client for failures from elsewhere, while unknown clients wait", () => {
    const { t } = throttle();
    t.recordSuccess("a@x.io", "2001:db8:1:2::10");
    fail(t, 3, "203.0.113.1");
    fail(t, 3, "203.0.113.2");
    expect(t.retryAfterSeconds("a@x.io", "203.0.113.1")).toBeGreaterThan(0);
    // Another address that never signed in waits for the account's failures…
    expect(t.retryAfterSeconds("a@x.io", "192.0.2.50")).toBeGreaterThan(0);
    // …the owner's device does not, nor does another address of its /64.
    expect(t.retryAfterSeconds("a@x.io", "2001:db8:1:2::10")).toBe(0);
    expect(t.retryAfterSeconds("a@x.io", "2001:db8:1:2:abcd::1")).toBe(0);
    // Known to this account only.
    fail(t, 3, "203.0.113.3", "b@x.io");
    expect(t.retryAfterSeconds("b@x.io", "2001:db8:1:2::10")).toBeGreaterThan(0);
  });

  it("forgets a known client after knownClientMs", () => {
    const { t, advance } = throttle({ knownClientMs: 60 * MINUTE });
    t.recordSuccess("a@x.io", "192.0.2.7");
    advance(61 * MINUTE);
    fail(t, 3, "203.0.113.1");
    expect(t.retryAfterSeconds("a@x.io", "192.0.2.7")).toBeGreaterThan(0);
  });

  it("still slows a known client for its own failures", () => {
    const { t } = throttle();
    t.recordSuccess("a@x.io", "192.0.2.7");
    fail(t, 3, "192.0.2.7");
    expect(t.retryAfterSeconds("a@x.io", "192.0.2.7")).toBe(10);
  });

  it("caps one client's failures over all accounts for the window", () => {
    const { t, advance } = throttle();
    for (let i = 0; i < 10; i += 1) t.recordFailure(`victim${i}@x.io`, "198.51.100.9");
    expect(t.retryAfterSeconds("fresh@x.io", "198.51.100.9")).toBe(15 * 60);
    // Counted by /64 for IPv6 and per address for IPv4.
    expect(t.retryAfterSeconds("fresh@x.io", "198.51.100.10")).toBe(0);
    advance(15 * MINUTE);
    expect(t.retryAfterSeconds("fresh@x.io", "198.51.100.9")).toBe(0);
  });

  it("counts an IPv6 client's whole /64 together", () => {
    const { t } = throttle();
    for (let i = 0; i < 3; i += 1) t.recordFailure("a@x.io", `2001:db8:5:6::${i + 1}`);
    expect(t.retryAfterSeconds("a@x.io", "2001:db8:5:6::ffff")).toBe(10);
  });
});
