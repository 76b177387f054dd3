import { describe, expect, it } from "vitest";
import { LruKeys } from "./lru-keys.ts";

describe("LruKeys", () => {
  it("pushes out only the least recently used key when a new one arrives full", () => {
    const keys = new LruKeys(3);
    expect(["a", "b", "c"].map((key) => keys.touch(key))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    // "a" used again: "b" is now the least recent.
    expect(keys.touch("a")).toBeUndefined();
    expect(keys.touch("d")).toBe("b");
    expect(keys.touch("e")).toBe("c");
    expect(keys.touch("a")).toBeUndefined();
    expect(keys.size).toBe(3);
  });

  it("never holds more than its bound, however many new keys arrive", () => {
    const keys = new LruKeys(1_000);
    let evicted = 0;
    for (let i = 0; i < 10_000; i++) if (keys.touch(`k${i}`) !== undefined) evicted += 1;
    expect(keys.size).toBe(1_000);
    expect(evicted).toBe(9_000);
    // The newest thousand are the ones kept.
    expect(keys.touch("k9999")).toBeUndefined();
    expect(keys.touch("k0")).toBe("k9000");
  });
});
