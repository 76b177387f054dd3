import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { isLauncherProbe, isLoopback, launcherProbeHeaders } from "./probe.ts";

function request(remoteAddress: string, headers: Record<string, string>): IncomingMessage {
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe("isLauncherProbe", () => {
  it("knows the launcher's health polls from this machine", () => {
    for (const address of ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
      for (const path of ["/healthz", "/readyz"])
        expect(isLauncherProbe(request(address, launcherProbeHeaders), path)).toBe(true);
  });

  it("does not quiet a poll without the header, from another machine, or of another route", () => {
    expect(isLauncherProbe(request("127.0.0.1", {}), "/readyz")).toBe(false);
    expect(isLauncherProbe(request("127.0.0.1", { "x-dogi-probe": "other" }), "/readyz")).toBe(
      false,
    );
    expect(isLauncherProbe(request("10.0.0.7", launcherProbeHeaders), "/readyz")).toBe(false);
    expect(isLauncherProbe(request("127.0.0.1", launcherProbeHeaders), "/v1/models")).toBe(false);
  });
});

describe("isLoopback", () => {
  it("accepts 127.0.0.0/8 and ::1, plain or IPv4-mapped, and nothing else", () => {
    expect(isLoopback("127.8.9.10")).toBe(true);
    expect(isLoopback("::ffff:127.0.0.2")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("::ffff:10.0.0.1")).toBe(false);
    expect(isLoopback("192.168.1.2")).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
    expect(isLoopback("not an address")).toBe(false);
  });
});
