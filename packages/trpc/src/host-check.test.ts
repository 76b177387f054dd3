import { describe, expect, it } from "vitest";
import { isOwnHost } from "./host-check.ts";

describe("isOwnHost", () => {
  it.each([
    "127.0.0.1:4001",
    "10.1.2.3",
    "[::1]:4002",
    "[fd00::5]",
    "localhost:4003",
    "LOCALHOST",
    "auth:4001",
    "auth.",
  ])("accepts %s for a service named auth", (host) => {
    expect(isOwnHost(host, ["auth"])).toBe(true);
  });

  it.each([
    "evil.example:4001",
    "auth.evil.example",
    "session:4002",
    "localhost.evil.example",
    "",
    "[",
    ":4001",
  ])("refuses %s (another name, a rebinding domain or nothing)", (host) => {
    expect(isOwnHost(host, ["auth"])).toBe(false);
  });

  it("refuses a missing header", () => {
    expect(isOwnHost(undefined, ["auth"])).toBe(false);
  });

  it("accepts extra names an operator lists (a Kubernetes service name)", () => {
    expect(
      isOwnHost("auth.dogi.svc.cluster.local:4001", ["auth", "auth.dogi.svc.cluster.local"]),
    ).toBe(true);
  });
});
