import net from "node:net";

/** The eight 16-bit groups of a valid IPv6 address ("2001:db8::1", "::ffff:1.2.3.4", "fe80::1%eth0"). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  // A dotted IPv4 tail is the last two groups.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (net.isIPv4(tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = (part: string | undefined) =>
    part ? part.split(":").map((group) => parseInt(group, 16)) : [];
  const [head, rest] = text.split("::");
  const left = groups(head);
  const right = groups(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The key one client is counted under (rate limits, connection caps, sign-in throttles): an
 * IPv4 address as it is, also when a dual-stack socket reports it mapped into IPv6, and an IPv6
 * address by its /64 ("2001:db8:1:2::/64"). One subscriber, home or server, is given a whole
 * /64 and may use any of its 2^64 addresses; keyed one by one, each request could bring a fresh key.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return "unknown";
  const ip = address.trim().replace(/^\[|\]$/g, "");
  if (!net.isIPv6(ip)) return ip;
  const groups = ipv6Groups(ip);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff)
    return groups
      .slice(6)
      .flatMap((group) => [group >> 8, group & 0xff])
      .join(".");
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}
