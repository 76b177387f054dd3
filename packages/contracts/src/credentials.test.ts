import { describe, expect, it } from "vitest";
import { bearerToken } from "./credentials.ts";

describe("bearerToken", () => {
  it("reads the credential of a Bearer header, the scheme in any case", () => {
    expect(bearerToken("Bearer abc.def")).toBe("abc.def");
    expect(bearerToken("bearer   dogi_x ")).toBe("dogi_x");
  });

  it("finds none without the scheme, with another scheme, or with two values", () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken("abc")).toBeUndefined();
    expect(bearerToken("Basic YWxhZGRpbg==")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken("Bearer ")).toBeUndefined();
  });

  it("refuses one longer than the limit it is given, and takes any length without one", () => {
    const long = "x".repeat(4097);
    expect(bearerToken(`Bearer ${long}`, 4096)).toBeUndefined();
    expect(bearerToken(`Bearer ${"x".repeat(4096)}`, 4096)).toHaveLength(4096);
    expect(bearerToken(`Bearer ${long}`)).toBe(long);
  });
});
