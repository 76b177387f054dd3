import type { IncomingMessage } from "node:http";
import type { QueueTicket } from "../engine/slot-pool.ts";

/** The header in which the gateway names the user a request is for. */
export const CALLER_HEADER = "x-dogi-caller";
/** `background` marks work no person waits on (session titles). */
export const PRIORITY_HEADER = "x-dogi-priority";

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
