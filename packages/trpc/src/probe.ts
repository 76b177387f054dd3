import type { IncomingMessage } from "node:http";
import net from "node:net";

/** What the launcher's /healthz and /readyz polls carry, so that they stay out of the access log. */
export const launcherProbeHeaders = { "x-dogi-probe": "launcher" } as const;

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** Whether an address (IPv4, IPv6 or IPv4-mapped IPv6) is on this machine's loopback interface. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (net.isIPv4(plain)) return LOOPBACK.check(plain, "ipv4");
  return net.isIPv6(plain) && LOOPBACK.check(plain, "ipv6");
}

/**
 * Whether a request is the launcher polling a health route from this machine: such a poll, four
 * times a second while Dogi starts, is not worth an access-log line at info.
 */
export function isLauncherProbe(req: IncomingMessage, path: string): boolean {
  return (
    (path === "/healthz" || path === "/readyz") &&
    req.headers["x-dogi-probe"] === launcherProbeHeaders["x-dogi-probe"] &&
    isLoopback(req.socket.remoteAddress)
  );
}
