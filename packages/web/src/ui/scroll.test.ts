import { describe, expect, it } from "vitest";
import { followScrollTop } from "./scroll.ts";

describe("followScrollTop", () => {
  it("follows the answer to the bottom when no question is pinned", () => {
    expect(followScrollTop({ scrollHeight: 2000, clientHeight: 500 }, null)).toBe(1500);
    expect(followScrollTop({ scrollHeight: 300, clientHeight: 500 }, null)).toBe(0);
  });

  it("stops where the pinned question would leave the top of the log", () => {
    expect(followScrollTop({ scrollHeight: 2000, clientHeight: 500 }, 900)).toBe(892);
  });

  it("goes to the bottom while the whole turn still fits below the question", () => {
    expect(followScrollTop({ scrollHeight: 1200, clientHeight: 500 }, 900)).toBe(700);
    expect(followScrollTop({ scrollHeight: 2000, clientHeight: 500 }, 4)).toBe(0);
  });
});
