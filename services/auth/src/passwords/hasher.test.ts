import { describe, expect, it } from "vitest";
import { createPasswordHasher } from "./hasher.ts";
import { createLimiter } from "./limiter.ts";

const password = "멍멍이-산책-2024!";
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("password hasher", () => {
  it("keeps sign-ups to their share of the slots, so a sign-in starts at once during a wave of them", async () => {
    const limiter = createLimiter({ concurrency: 2, maxWaitMs: 10_000 });
    const signUpLimiter = createLimiter({ concurrency: 1, maxWaitMs: 10_000 });
    const hasher = createPasswordHasher({ limiter, signUpLimiter });
    const stored = await hasher.hash(password);

    const wave = Array.from({ length: 6 }, () => hasher.hashForSignUp(password));
    await settle();
    // One sign-up hashes; the rest wait outside the K slots' queue.
    expect(limiter.stats()).toEqual({ active: 1, waiting: 0 });
    expect(signUpLimiter.stats()).toEqual({ active: 1, waiting: 5 });

    const signIn = hasher.verify(stored, password);
    await settle();
    expect(limiter.stats()).toEqual({ active: 2, waiting: 0 });
    expect(await signIn).toEqual({ ok: true, needsRehash: false });
    const hashes = await Promise.all(wave);
    for (const hash of hashes) expect((await hasher.verify(hash, password)).ok).toBe(true);
  });
});
