import type { IncomingMessage } from "node:http";
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
export function normalize(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, "");
  return trimmed.startsWith("::ffff:") && net.isIPv4(trimmed.slice(7)) ? trimmed.slice(7) : trimmed;
}

/** Whether `address` is one of the trusted proxies. */
export function isTrusted(trusted: net.BlockList, address: string): boolean {
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

/**
 * The client's address as the field auth's throttled procedures take (`{ clientIp }`), or
 * nothing when it cannot be known.
 */
export function clientIpField(req: IncomingMessage, trusted: net.BlockList): { clientIp?: string } {
  const ip = resolveClientIp({
    socketAddress: req.socket.remoteAddress,
    forwardedFor: req.headers["x-forwarded-for"],
    trusted,
  });
  return ip ? { clientIp: ip } : {};
}
