import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAccessTokens } from "./access-token.ts";

// A unit around the caches; the end-to-end rules run on real stores in account/tokens.test.ts.
describe("access-token verification cache", () => {
  it("checks the token version on every cached hit and re-reads it after invalidation", async () => {
    const userId = randomUUID();
    let version = 0;
    let reads = 0;
    const tokens = createAccessTokens({
      secret: "k".repeat(16) + "abcdefghijklmnopqrstuv",
      ttlSeconds: 30 * 60,
      store: { tokenVersionOf: async () => (reads++, version) },
      cacheSize: 10,
      versionCacheMs: 60_000,
    });
    const { token } = await tokens.issue({ userId, tokenVersion: 0 });
    expect(await tokens.verify(token)).not.toBeNull();
    expect(await tokens.verify(token)).not.toBeNull();
    expect(reads).toBe(1);
    version = 1;
    tokens.invalidateUser(userId);
    expect(await tokens.verify(token)).toBeNull();
    expect(reads).toBe(2);
  });

  it("does not let a version read that was in flight during a revocation restore the old version", async () => {
    const userId = randomUUID();
    let release: (v: number) => void = () => undefined;
    const tokens = createAccessTokens({
      secret: "k".repeat(16) + "abcdefghijklmnopqrstuv",
      ttlSeconds: 30 * 60,
      store: {
        tokenVersionOf: () => new Promise<number>((resolve) => (release = resolve)),
      },
      cacheSize: 10,
      versionCacheMs: 60_000,
    });
    const { token } = await tokens.issue({ userId, tokenVersion: 0 });
    const first = tokens.verify(token);
    await new Promise((r) => setTimeout(r, 10));
    tokens.invalidateUser(userId);
    release(0);
    expect(await first).not.toBeNull();
    // The stale answer (0) was not cached: the next verification reads again and sees the bump.
    const second = tokens.verify(token);
    await new Promise((r) => setTimeout(r, 10));
    release(1);
    expect(await second).toBeNull();
  });

  it("expires cached tokens with the token itself", async () => {
    let now = Date.parse("2025-01-01T00:00:00Z");
    const tokens = createAccessTokens({
      secret: "k".repeat(16) + "abcdefghijklmnopqrstuv",
      ttlSeconds: 30 * 60,
      store: { tokenVersionOf: async () => 0 },
      cacheSize: 10,
      versionCacheMs: 60_000,
      now: () => now,
    });
    const { token } = await tokens.issue({ userId: randomUUID(), tokenVersion: 0 });
    expect(await tokens.verify(token)).not.toBeNull();
    now += 30 * 60_000;
    expect(await tokens.verify(token)).toBeNull();
  });
});
