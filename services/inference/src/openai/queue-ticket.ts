import type { IncomingMessage } from "node:http";
import { CALLER_HEADER, PRIORITY_HEADER } from "@dogi/contracts";
import type { QueueTicket } from "../engine/slot-pool.ts";

const CALLER = /^[\w:.@-]{1,128}$/;

/**
 * Whose request this is, for the fair queue: the caller the gateway names, else the peer's
 * address (a program calling inference directly is one caller per address).
 */
export function queueTicketOf(req: IncomingMessage): QueueTicket {
  const named = req.headers[CALLER_HEADER];
  const caller =
    typeof named === "string" && CALLER.test(named)
      ? `user:${named}`
      : `peer:${req.socket.remoteAddress ?? "unknown"}`;
  return { caller, background: req.headers[PRIORITY_HEADER] === "background" };
}
