import { describe, expect, it } from "vitest";
import { parseTrustedProxies, resolveClientIp } from "./client-ip.ts";

const resolve = (socketAddress: string, forwardedFor: string | undefined, trusted: string) =>
  resolveClientIp({ socketAddress, forwardedFor, trusted: parseTrustedProxies(trusted) });

describe("client address resolution", () => {
  it("uses the socket address and ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(resolve("203.0.113.9", "1.2.3.4", "")).toBe("203.0.113.9");
  });

  it("reads X-Forwarded-For from the right through trusted proxies only", () => {
    expect(resolve("10.0.0.2", "198.51.100.7", "10.0.0.0/8")).toBe("198.51.100.7");
    expect(resolve("10.0.0.2", "198.51.100.7, 10.0.0.5", "10.0.0.0/8")).toBe("198.51.100.7");
  });

  it("cannot be reset by a forged header: the client's own entries sit left of the real one", () => {
    // The client sent "X-Forwarded-For: 1.1.1.1"; the trusted proxy appended the real peer.
    expect(resolve("10.0.0.2", "1.1.1.1, 198.51.100.7", "10.0.0.0/8")).toBe("198.51.100.7");
  });

  it("ignores the header from an untrusted peer even when it names a trusted proxy", () => {
    expect(resolve("198.51.100.7", "10.0.0.9", "10.0.0.0/8")).toBe("198.51.100.7");
  });

  it("unwraps IPv4-mapped IPv6 peers and stops at garbage in the chain", () => {
    expect(resolve("::ffff:127.0.0.1", "198.51.100.7", "127.0.0.1")).toBe("198.51.100.7");
    expect(resolve("127.0.0.1", "not-an-ip", "127.0.0.1")).toBe("127.0.0.1");
    expect(resolve("::1", "2001:db8::1", "::1")).toBe("2001:db8::1");
  });

  it("refuses a TRUSTED_PROXIES entry that is not an address", () => {
    expect(() => parseTrustedProxies("localhost")).toThrow(/TRUSTED_PROXIES/);
  });
});
