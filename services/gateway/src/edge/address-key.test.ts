import { describe, expect, it } from "vitest";
import { addressKey } from "./address-key.ts";

describe("addressKey", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("203.0.113.8")).not.toBe(addressKey("203.0.113.7"));
  });

  it("counts every IPv6 address of one /64 as one client, however it is written", () => {
    const key = addressKey("2001:db8:0:1::1");
    expect(key).toBe("2001:db8:0:1::/64");
    expect(addressKey("2001:0db8:0000:0001:ffff:ffff:ffff:ffff")).toBe(key);
    expect(addressKey("2001:DB8:0:1:a::")).toBe(key);
    expect(addressKey("2001:db8::1:0:0:0:9")).toBe(key);
    expect(addressKey("2001:db8:0:1::1%eth0")).toBe(key);
  });

  it("tells neighbouring /64s apart", () => {
    expect(addressKey("2001:db8:0:2::1")).toBe("2001:db8:0:2::/64");
    expect(addressKey("2001:db8:1:1::1")).not.toBe(addressKey("2001:db8:0:1::1"));
  });

  it("reads the short forms at either end and an IPv4 tail", () => {
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("fe80::")).toBe("fe80:0:0:0::/64");
    expect(addressKey("64:ff9b::192.0.2.33")).toBe("64:ff9b:0:0::/64");
    expect(addressKey("1:2:3:4:5:6:7:8")).toBe("1:2:3:4::/64");
  });
});
