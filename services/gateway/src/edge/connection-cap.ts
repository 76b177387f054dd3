import type net from "node:net";
import { addressKey } from "@dogi/trpc";
import { isTrusted, normalize } from "./client-ip.ts";

export interface ConnectionCapOptions {
  /** Connections one client address (an IPv6 /64) may hold open at once. */
  maxPerAddress: number;
  /** Trusted proxies: exempt, since every client behind one arrives from its address. */
  trusted: net.BlockList;
  /** Told of each connection closed on arrival, with the key of its address. */
  onRefused?: (key: string) => void;
}

/**
 * Caps the TCP connections one client address holds open at once: one more is destroyed as it
 * arrives, before a byte of it is read, so a single client cannot take every socket the process
 * has (idle keep-alive connections, slow requests, streams it never reads). Per replica: a
 * connection is held by one process, so there is nothing to share.
 */
export function capConnectionsPerAddress(server: net.Server, options: ConnectionCapOptions): void {
  const open = new Map<string, number>();
  server.on("connection", (socket: net.Socket) => {
    const peer = socket.remoteAddress === undefined ? undefined : normalize(socket.remoteAddress);
    // No address: the socket closed before this ran, and holds nothing.
    if (peer === undefined || isTrusted(options.trusted, peer)) return;
    const key = addressKey(peer);
    const count = open.get(key) ?? 0;
    if (count >= options.maxPerAddress) {
      socket.destroy();
      options.onRefused?.(key);
      return;
    }
    open.set(key, count + 1);
    socket.once("close", () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left === 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
