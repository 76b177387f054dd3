import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { queueTicketOf } from "./queue-ticket.ts";

const request = (headers: Record<string, string>, remoteAddress = "10.0.0.7") =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe("queueTicketOf", () => {
  it("names the user the gateway passes, and marks background work", () => {
    expect(queueTicketOf(request({ "x-dogi-caller": "u_123" }))).toEqual({
      caller: "user:u_123",
      background: false,
    });
    expect(
      queueTicketOf(request({ "x-dogi-caller": "u_123", "x-dogi-priority": "background" })),
    ).toEqual({ caller: "user:u_123", background: true });
  });

  it("falls back to the peer's address for a missing or malformed caller", () => {
    expect(queueTicketOf(request({})).caller).toBe("peer:10.0.0.7");
    expect(queueTicketOf(request({ "x-dogi-caller": "a b\n" })).caller).toBe("peer:10.0.0.7");
    expect(queueTicketOf(request({ "x-dogi-caller": "x".repeat(129) })).caller).toBe(
      "peer:10.0.0.7",
    );
  });
});
