import { describe, expect, it } from "vitest";
import { prefixFor } from "./prefix.ts";

describe("prefixFor", () => {
  it("pads the name so every process's lines start in the same column", () => {
    expect(prefixFor("auth", 9)).toBe("auth      | ");
    expect(prefixFor("inference", 9)).toBe("inference | ");
    expect(prefixFor("auth", 9).length).toBe(prefixFor("inference", 9).length);
  });

  it("leaves a JSON log line intact after the prefix", () => {
    const line = '{"level":"info","msg":"listening"}';
    const prefixed = prefixFor("gateway", 9) + line;
    expect(JSON.parse(prefixed.slice(prefixFor("gateway", 9).length))).toEqual({
      level: "info",
      msg: "listening",
    });
  });
});
