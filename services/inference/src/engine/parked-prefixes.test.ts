import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Token } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { ParkedPrefixes } from "./parked-prefixes.ts";
import type { SavableSequence } from "./parked-prefixes.ts";

/** A sequence whose saved state is its tokens as text, padded to `bytes`. */
class FakeSequence implements SavableSequence {
  contextTokens: Token[];
  savedTo: string[] = [];

  constructor(
    tokens: number[],
    private readonly bytes = 100,
  ) {
    this.contextTokens = tokens as Token[];
  }

  async saveStateToFile(file: string): Promise<{ fileSize: number }> {
    const text = JSON.stringify(this.contextTokens).padEnd(this.bytes);
    await writeFile(file, text);
    this.savedTo.push(file);
    return { fileSize: Buffer.byteLength(text) };
  }

  async clearHistory(): Promise<void> {
    this.contextTokens = [];
  }

  async loadStateFromFile(file: string): Promise<void> {
    this.contextTokens = JSON.parse(await readFile(file, "utf8")) as Token[];
  }
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe("ParkedPrefixes", () => {
  it("loads a parked prefix back into another sequence and removes its file", async () => {
    const parked = new ParkedPrefixes(10_000);
    const owner = new FakeSequence(range(0, 100));
    await parked.park("u1\u0000a", owner);
    const file = owner.savedTo[0] ?? "";
    expect(existsSync(file)).toBe(true);

    const other = new FakeSequence(range(500, 40));
    const prompt = [...range(0, 100), 7, 8] as Token[];
    expect(await parked.restore("u1\u0000a", other, prompt, 0)).toBe(true);
    expect(other.contextTokens).toEqual(range(0, 100));
    expect(parked.stats).toEqual({ parked: 1, restored: 1, restoredTokens: 100 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(file)).toBe(false);
    expect(parked.has("u1\u0000a")).toBe(false);
    await parked.dispose();
  });

  it("keeps the sequence as it is when the saved prefix gains too little over what it holds", async () => {
    const parked = new ParkedPrefixes(10_000);
    await parked.park("k", new FakeSequence(range(0, 100)));
    const slot = new FakeSequence(range(0, 90));
    // 100 shared against 90 the slot already has: not worth loading.
    expect(await parked.restore("k", slot, range(0, 120) as Token[], 90)).toBe(false);
    // A prompt that leaves the saved tokens early shares too little as well.
    expect(await parked.restore("k", slot, [...range(0, 10), 999] as Token[], 0)).toBe(false);
    expect(slot.contextTokens).toEqual(range(0, 90));
    expect(parked.has("k")).toBe(true);
    await parked.dispose();
  });

  it("stays within its budget, dropping the least recently parked first", async () => {
    const parked = new ParkedPrefixes(2500);
    const sequences = ["a", "b", "c"].map((key, i) => ({
      key,
      sequence: new FakeSequence(range(i * 1000, 50), 1000),
    }));
    for (const { key, sequence } of sequences) await parked.park(key, sequence);
    expect(parked.has("a")).toBe(false);
    expect(parked.has("b")).toBe(true);
    expect(parked.has("c")).toBe(true);
    expect(parked.size).toBe(2000);
    // Parking a key again replaces its older prefix.
    await parked.park("b", new FakeSequence(range(7000, 60), 1000));
    expect(parked.size).toBe(2000);
    const folder = path.dirname(sequences[0]?.sequence.savedTo[0] ?? "");
    await parked.dispose();
    expect(existsSync(folder)).toBe(false);
  });

  it("loses a prefix it cannot save, without failing the caller", async () => {
    const parked = new ParkedPrefixes(10_000);
    const failing = new FakeSequence(range(0, 100));
    failing.saveStateToFile = () => Promise.reject(new Error("ENOSPC: no space left on device"));
    await expect(parked.park("k", failing)).resolves.toBeUndefined();
    expect(parked.has("k")).toBe(false);
    expect(parked.size).toBe(0);
    await parked.dispose();
  });

  it("parks nothing when its budget is 0, or a prefix too short to be worth it", async () => {
    const off = new ParkedPrefixes(0);
    const sequence = new FakeSequence(range(0, 100));
    await off.park("k", sequence);
    expect(sequence.savedTo).toEqual([]);
    const on = new ParkedPrefixes(10_000);
    const short = new FakeSequence(range(0, 10));
    await on.park("k", short);
    expect(short.savedTo).toEqual([]);
    expect(on.has("k")).toBe(false);
    await on.dispose();
  });
});
