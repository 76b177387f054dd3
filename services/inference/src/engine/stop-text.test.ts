import { describe, expect, it } from "vitest";
import { StopTextFilter } from "./stop-text.ts";

function feed(stops: string[], pieces: string[]) {
  const filter = new StopTextFilter(stops);
  const shown: string[] = [];
  let stopped = false;
  for (const piece of pieces) {
    const result = filter.push(piece);
    shown.push(result.visible);
    if (result.stopped) {
      stopped = true;
      break;
    }
  }
  if (!stopped) shown.push(filter.flush());
  return { shown, stopped, text: filter.text };
}

describe("StopTextFilter", () => {
  it("passes text straight through when there are no stop texts", () => {
    const { shown, text } = feed([], ["Hel", "lo"]);
    expect(shown.slice(0, 2)).toEqual(["Hel", "lo"]);
    expect(text).toBe("Hello");
  });

  it("stops before a stop text that spans several pieces and never shows any of it", () => {
    const { shown, stopped, text } = feed(["END!"], ["The dog E", "N", "D", "! more"]);
    expect(stopped).toBe(true);
    expect(text).toBe("The dog ");
    expect(shown.join("")).toBe("The dog ");
    expect(shown.join("")).not.toContain("E");
  });

  it("holds back a possible stop-text start, then releases it when it was not one", () => {
    const filter = new StopTextFilter(["<stop>"]);
    expect(filter.push("a <st").visible).toBe("a ");
    expect(filter.push("ove").visible).toBe("<stove");
    expect(filter.flush()).toBe("");
    expect(filter.text).toBe("a <stove");
  });

  it("releases held-back text when the answer ends without the stop text", () => {
    const { shown, stopped, text } = feed(["\n\n"], ["line", "\n"]);
    expect(stopped).toBe(false);
    expect(shown).toEqual(["line", "", "\n"]);
    expect(text).toBe("line\n");
  });

  it("cuts at the earliest of several stop texts found in one piece", () => {
    const { text, stopped } = feed(["zz", "b"], ["a", "bzz"]);
    expect(stopped).toBe(true);
    expect(text).toBe("a");
  });
});
