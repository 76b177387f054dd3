import { describe, expect, it } from "vitest";
import { CacheAffinity } from "./slot-affinity.ts";

const use = (caller: string, key?: string) => ({ caller, key });

describe("CacheAffinity", () => {
  it("sends a key back to the slot it used last, and keeps other requests off it", () => {
    const affinity = new CacheAffinity();
    affinity.claim(2, use("u1", "a"));
    expect(affinity.allowed([0, 1, 2], use("u1", "a"))).toEqual([0, 1, 2]);
    expect(affinity.allowed([0, 1, 2], use("u1", "b"))).toEqual([0, 1]);
    expect(affinity.allowed([0, 1, 2], use("u1"))).toEqual([0, 1]);
  });

  it("gives the slot of the least recently used key when every free slot is owned", () => {
    const affinity = new CacheAffinity();
    affinity.claim(0, use("u1", "a"));
    affinity.claim(1, use("u1", "b"));
    affinity.claim(0, use("u1", "a"));
    expect(affinity.allowed([0, 1], use("u1", "c"))).toEqual([1]);
    affinity.claim(1, use("u1", "c"));
    // "b" lost its slot: it may now take any slot no other key owns (none is free here).
    expect(affinity.allowed([0, 1], use("u1", "b"))).toEqual([0]);
  });

  it("moves a key to its new slot, freeing the old one", () => {
    const affinity = new CacheAffinity();
    affinity.claim(0, use("u1", "a"));
    affinity.claim(1, use("u1", "a"));
    expect(affinity.allowed([0, 1], use("u2", "z"))).toEqual([0]);
  });

  it("scopes keys by caller: the same key of another caller is another key", () => {
    const affinity = new CacheAffinity();
    affinity.claim(0, use("u1", "shared"));
    expect(affinity.allowed([0, 1], use("u2", "shared"))).toEqual([1]);
    expect(affinity.mayReuse(0, use("u2", "shared"))).toBe(false);
    expect(affinity.mayReuse(0, use("u2"))).toBe(false);
    expect(affinity.mayReuse(0, use("u1", "other"))).toBe(true);
  });

  it("lets keyless requests of different callers share prefixes, as before keys", () => {
    const affinity = new CacheAffinity();
    affinity.claim(0, use("peer:a"));
    expect(affinity.mayReuse(0, use("peer:b"))).toBe(true);
    expect(affinity.mayReuse(0, use("peer:b", "k"))).toBe(false);
    expect(affinity.mayReuse(1, use("peer:b", "k"))).toBe(true);
  });
});
