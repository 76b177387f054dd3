import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type net from "node:net";
import { bearerToken } from "@dogi/contracts";
import { isLoopback } from "@dogi/trpc";
import type { Failure } from "../http/failure.ts";
import { resolveClientIp } from "./client-ip.ts";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Who may read /metrics: with a token, a caller presenting it (Authorization: Bearer); without
 * one, only a client on this machine. A request forwarded by an untrusted local proxy is not
 * local (the proxy may serve anyone). Returns null when allowed, else the failure to answer.
 */
export function metricsAccess(options: { token: string; trusted: net.BlockList }) {
  const expected = options.token ? digest(options.token) : null;
  return (req: IncomingMessage): Failure | null => {
    if (expected) {
      const presented = bearerToken(req.headers.authorization, 4096);
      // Digests have one length, so the comparison takes the same time whatever was sent.
      if (presented && timingSafeEqual(digest(presented), expected)) return null;
      return {
        code: "UNAUTHENTICATED",
        message: "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.",
      };
    }
    const forwarded = req.headers["x-forwarded-for"] !== undefined;
    const client = resolveClientIp({
      socketAddress: req.socket.remoteAddress,
      forwardedFor: req.headers["x-forwarded-for"],
      trusted: options.trusted,
    });
    const local = isLoopback(client) && !(forwarded && client === req.socket.remoteAddress);
    if (local) return null;
    return {
      code: "FORBIDDEN",
      message:
        "/metrics answers only clients on the gateway's own machine; set METRICS_TOKEN to let a scraper elsewhere read it with Authorization: Bearer <token>.",
    };
  };
}
