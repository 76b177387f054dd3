import net from "node:net";

/**
 * The key one client is counted under: an IPv4 address as it is, an IPv6 address by its /64.
 * One subscriber usually gets a whole /64, so counting single IPv6 addresses would let one
 * client take 2^64 of them.
 */
export function addressKey(address: string): string {
  if (!net.isIPv6(address)) return address;
  const groups = ipv6Groups(address);
  return `${groups.slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, in lowercase hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  let text = address.split("%")[0] ?? "";
  // An IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two groups written the IPv4 way.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (net.isIPv4(tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16).toString(16));
}
