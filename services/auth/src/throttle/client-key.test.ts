import { describe, expect, it } from "vitest";
import { clientKey } from "./client-key.ts";

describe("clientKey", () => {
  it("keeps an IPv4 address as it is, also when written as IPv4-mapped IPv6", () => {
    expect(clientKey("198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("::FFFF:198.51.100.7")).toBe("198.51.100.7");
  });

  it("counts every address of one IPv6 /64 as one client, however it is written", () => {
    const key = clientKey("2001:db8:12:34::1");
    expect(key).toBe("2001:db8:12:34::/64");
    for (const same of [
      "2001:db8:12:34:ffff:ffff:ffff:ffff",
      "2001:0DB8:0012:0034:0:0:0:2",
      "2001:db8:12:34:1::",
      "2001:db8:12:34:aaaa::1%eth0",
    ])
      expect(clientKey(same), same).toBe(key);
    expect(clientKey("2001:db8:12:35::1")).not.toBe(key);
  });

  it("expands a compressed prefix and an embedded IPv4 tail", () => {
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
  });
});
