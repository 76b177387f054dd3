import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter.ts";

describe("rate limiter", () => {
  it("allows a minute's allowance at once, then says how long to wait, and refills over time", () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take("b").ok).toBe(true);
    now += 1_000;
    expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("a").ok).toBe(false);
  });

  it("lets a cost known afterwards overdraw the bucket, and refuses until it is repaid", () => {
    let now = 0;
    const limiter = new RateLimiter(600, () => now);
    limiter.charge("u", 1_200);
    const verdict = limiter.check("u");
    expect(verdict.ok).toBe(false);
    // 600 overdrawn plus one to take, at 10 per second.
    expect(verdict.ok ? 0 : verdict.retryAfterSeconds).toBe(61);
    now += 61_000;
    expect(limiter.check("u").ok).toBe(true);
  });
});
