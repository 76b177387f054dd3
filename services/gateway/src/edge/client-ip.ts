import net from "node:net";

/** A set of trusted proxy addresses from "10.0.0.0/8,127.0.0.1,::1" (empty: trust none). */
export function parseTrustedProxies(list: string): net.BlockList {
  const trusted = new net.BlockList();
  for (const raw of list.split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address = "", prefix] = entry.split("/");
    const type = net.isIPv6(address) ? "ipv6" : "ipv4";
    if (!net.isIP(address)) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP or CIDR`);
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  return trusted;
}

/** "::ffff:10.0.0.1" (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
function normalize(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, "");
  return trimmed.startsWith("::ffff:") && net.isIPv4(trimmed.slice(7)) ? trimmed.slice(7) : trimmed;
}

function isTrusted(trusted: net.BlockList, address: string): boolean {
  const type = net.isIPv6(address) ? "ipv6" : net.isIPv4(address) ? "ipv4" : null;
  return type !== null && trusted.check(address, type);
}

/**
 * The client's address: the socket peer, unless that peer is a trusted proxy, in which case
 * X-Forwarded-For is read from the right, skipping trusted proxies, and the first untrusted
 * address is the client. A client cannot forge its way past this: whatever it writes into the
 * header sits left of the addresses the trusted proxies appended.
 */
export function resolveClientIp(options: {
  socketAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  trusted: net.BlockList;
}): string | undefined {
  const peer = options.socketAddress ? normalize(options.socketAddress) : undefined;
  if (!peer || !net.isIP(peer)) return undefined;
  if (!isTrusted(options.trusted, peer)) return peer;
  const header = Array.isArray(options.forwardedFor)
    ? options.forwardedFor.join(",")
    : (options.forwardedFor ?? "");
  const hops = header
    .split(",")
    .map(normalize)
    .filter((hop) => hop.length > 0);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? "";
    // Garbage in the chain: stop at the last address we could trust.
    if (!net.isIP(hop)) return client;
    client = hop;
    if (!isTrusted(options.trusted, hop)) return client;
  }
  return client;
}

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
 * The key a client address is rate limited under: an IPv4 address as it is, an IPv6 address by
 * its /64 ("2001:db8:1:2::/64"). One subscriber, home or server, is given a whole /64 and may
 * use any of its 2^64 addresses; keyed one by one, each new request could come from a fresh key.
 */
export function rateLimitKey(address: string | undefined): string {
  if (address === undefined) return "unknown";
  const ip = normalize(address);
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
