import { describe, expect, it } from "vitest";
import { TRPC_MAX_BATCH, requestCost } from "./request-cost.ts";

describe("requestCost", () => {
  it("charges a /trpc batch one per call, capped one past the batch limit", () => {
    expect(requestCost("/v1/llm/sessions")).toBe(1);
    expect(requestCost("/trpc/health")).toBe(1);
    expect(requestCost("/trpc/health,me,sessions.list")).toBe(3);
    const huge = `/trpc/${Array.from({ length: 500 }, () => "health").join(",")}`;
    expect(requestCost(huge)).toBe(TRPC_MAX_BATCH + 1);
  });
});
