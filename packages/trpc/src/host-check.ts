import { isIP } from "node:net";

/** The host name of a Host header, lower-cased, without port, brackets or a trailing dot. */
function hostNameOf(header: string): string {
  const trimmed = header.trim().toLowerCase();
  const name = trimmed.startsWith("[")
    ? trimmed.slice(1, trimmed.indexOf("]") === -1 ? undefined : trimmed.indexOf("]"))
    : trimmed.replace(/:\d*$/, "");
  return name.replace(/\.$/, "");
}

/**
 * Whether a request's Host header names this service: an IP address, localhost, or one of
 * `names` (its Compose service name, INTERNAL_HOSTNAMES). A web page that rebinds its own domain
 * to the service's address still sends that domain, and is refused.
 */
export function isOwnHost(header: string | undefined, names: readonly string[]): boolean {
  if (header === undefined || header === "") return false;
  const name = hostNameOf(header);
  if (name === "") return false;
  if (isIP(name) !== 0) return true;
  return name === "localhost" || names.some((allowed) => allowed.toLowerCase() === name);
}
