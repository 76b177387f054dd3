import type { Logger } from "@dogi/logger";
import type { RunningServer } from "@dogi/trpc";
import type { GatewayState } from "./edge/edge.ts";

const POLL_MS = 20;

/**
 * Graceful shutdown: from now on new requests get 503 (and their connection is closed), while
 * requests already admitted (chat and OpenAI streams included) may finish for up to `graceMs`.
 * Then the server stops; whatever is still open at the deadline is cut. Resolves once stopped,
 * with how many requests were cut.
 */
export async function drainAndStop(options: {
  state: GatewayState;
  server: RunningServer;
  graceMs: number;
  logger: Logger;
}): Promise<{ cut: number }> {
  const { state, server, logger } = options;
  state.draining = true;
  logger.info({ requests: state.requests, streams: state.inFlight }, "draining");
  const deadline = Date.now() + options.graceMs;
  while (state.requests > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  const cut = state.requests;
  if (cut > 0) logger.warn({ requests: cut }, "grace period over; cutting the requests still open");
  const closed = server.close();
  // Nothing admitted is left (or its time is up), and anything new would only be refused: close
  // every connection now rather than wait for clients' spare keep-alive ones to time out.
  server.server.closeAllConnections();
  await closed;
  return { cut };
}
