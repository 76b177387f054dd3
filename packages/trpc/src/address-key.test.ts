import { describe, expect, it } from "vitest";
import { addressKey } from "./address-key.ts";

describe("addressKey", () => {
  it("keeps an IPv4 address as it is, however it arrived", () => {
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
    // A dual-stack socket reports IPv4 peers mapped into IPv6; they must not share one /64.
    expect(addressKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::FFFF:203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::ffff:cb00:7109")).toBe("203.0.113.9");
    expect(addressKey("::ffff:198.51.100.7")).not.toBe(addressKey("::ffff:203.0.113.9"));
  });

  it("keys every address of one IPv6 /64 alike, and neighbouring /64s apart", () => {
    const key = "2001:db8:1:2::/64";
    for (const same of [
      "2001:db8:1:2::1",
      "2001:0DB8:0001:0002:ffff:ffff:ffff:fffe",
      "[2001:db8:1:2:a:b:c:d]",
      "2001:db8:1:2::5%eth0",
      "2001:db8:1:2::1.2.3.4",
      "2001:db8:1:2:1::",
    ])
      expect(addressKey(same), same).toBe(key);
    expect(addressKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
  });

  it("expands a compressed prefix and an embedded IPv4 tail", () => {
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("fe80::")).toBe("fe80:0:0:0::/64");
    expect(addressKey("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
  });

  it("keys a missing address as unknown", () => {
    expect(addressKey(undefined)).toBe("unknown");
  });
});
