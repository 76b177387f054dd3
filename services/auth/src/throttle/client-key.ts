import net from "node:net";

/** The 16-bit groups of an IPv6 address (zone dropped, `::` expanded, a dotted IPv4 tail split in two). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, "").toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split(".").map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The unit one client is counted by: an IPv4 address, or the /64 of an IPv6 address (one
 * subscriber's network usually gets a whole /64, so counting single addresses would let one
 * client use 2^64 of them). An IPv4 address written as IPv6 (::ffff:a.b.c.d) counts as IPv4.
 */
export function clientKey(ip: string): string {
  const plain = ip.trim();
  if (net.isIPv4(plain)) return plain;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped?.[1] && net.isIPv4(mapped[1])) return mapped[1];
  if (!net.isIPv6(plain.replace(/%.*$/, ""))) return plain;
  const network = ipv6Groups(plain)
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":");
  return `${network}::/64`;
}
