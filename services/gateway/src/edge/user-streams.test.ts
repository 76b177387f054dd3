import { describe, expect, it } from "vitest";
import { AppError } from "@dogi/trpc";
import { UserStreams } from "./user-streams.ts";

describe("UserStreams", () => {
  it("refuses a user's answer beyond their share with 429, and counts each user apart", () => {
    const streams = new UserStreams(2);
    const first = streams.begin("a");
    streams.begin("a");
    const refused = (() => {
      try {
        streams.begin("a");
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).appCode).toBe("RATE_LIMITED");
    expect((refused as AppError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(() => streams.begin("b")).not.toThrow();
    first();
    first();
    expect(streams.count("a")).toBe(1);
    expect(() => streams.begin("a")).not.toThrow();
  });
});
