import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryLimiters } from "./rate-limiter.ts";

// The in-memory store on a fake clock; rate-limiter.contract.test.ts runs what every store shares.
describe("in-memory limiter", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("has the whole allowance back when the key's minute is over", async () => {
    const limiter = memoryLimiters()("ip", 60);
    for (let i = 0; i < 60; i++) expect(await limiter.take("a")).toEqual({ ok: true });
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 60 });
    vi.advanceTimersByTime(30_000);
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 30 });
    vi.advanceTimersByTime(30_000);
    for (let i = 0; i < 60; i++) expect(await limiter.take("a")).toEqual({ ok: true });
    expect((await limiter.take("a")).ok).toBe(false);
  });

  it("refuses an overdrawn key until the excess is earned back, then gives a full minute", async () => {
    const limiter = memoryLimiters()("chat_tokens", 600);
    await limiter.charge("u", 1_200);
    expect(await limiter.check("u")).toEqual({ ok: false, retryAfterSeconds: 120 });
    vi.advanceTimersByTime(119_000);
    expect(await limiter.check("u")).toEqual({ ok: false, retryAfterSeconds: 1 });
    vi.advanceTimersByTime(1_000);
    expect(await limiter.take("u", 600)).toEqual({ ok: true });
  });

  it("forgets only the least recently used key when full, never all at once", async () => {
    const limiter = memoryLimiters({ maxKeys: 100 })("ip", 1);
    expect(await limiter.take("abuser")).toEqual({ ok: true });
    // A flood of new keys (addresses) would have reset every bucket when the old map filled up.
    for (let i = 0; i < 1_000; i++) {
      expect(await limiter.take(`flood-${i}`)).toEqual({ ok: true });
      expect((await limiter.take("abuser")).ok).toBe(false);
    }
    // The store stays bounded: the flood's oldest keys were forgotten, so they start afresh.
    expect(await limiter.take("flood-0")).toEqual({ ok: true });
    expect((await limiter.take("flood-999")).ok).toBe(false);
  });
});
