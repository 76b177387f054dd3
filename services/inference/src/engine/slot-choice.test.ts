import { describe, expect, it } from "vitest";
import { PREFIX_WORTH_A_SPLIT, chooseSlot } from "./slot-choice.ts";

const free = (...slots: Array<[index: number, prefix: number]>) =>
  slots.map(([index, prefix]) => ({ index, prefix }));

describe("chooseSlot", () => {
  it("takes the longest prefix when nothing else is busy", () => {
    expect(chooseSlot(free([0, 1], [1, 1], [2, 30], [3, 0]), [])).toBe(2);
  });

  it("takes the lowest slot among equal prefixes", () => {
    expect(chooseSlot(free([3, 5], [1, 5], [2, 5]), [])).toBe(1);
  });

  it("extends the busy run rather than reuse a few tokens elsewhere", () => {
    // Slots 0-2 generate; slot 5 shares two tokens (a digit and BOS) with the prompt.
    expect(chooseSlot(free([3, 1], [4, 1], [5, 2], [6, 0], [7, 1]), [0, 1, 2])).toBe(3);
  });

  it("fills a gap between busy slots, joining two runs into one", () => {
    expect(chooseSlot(free([0, 0], [2, 0], [5, 0]), [1, 3, 4])).toBe(2);
  });

  it("joins the run from below when that is the only neighbour", () => {
    expect(chooseSlot(free([0, 0], [1, 0], [4, 0]), [2, 3])).toBe(1);
  });

  it("reuses a long conversation prefix even if it splits the busy run", () => {
    const history = 10 + PREFIX_WORTH_A_SPLIT;
    expect(chooseSlot(free([3, 10], [6, history]), [0, 1, 2])).toBe(6);
    expect(chooseSlot(free([3, 10], [6, history - 1]), [0, 1, 2])).toBe(3);
  });
});
