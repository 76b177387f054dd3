import type { Logger } from "@dogi/logger";
import type { RunningServer } from "@dogi/trpc";
import type { BackgroundWork } from "./background.ts";
import type { GatewayState } from "./edge/edge.ts";

const POLL_MS = 20;
const ABORT_WAIT_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Graceful shutdown: from now on new requests get 503 (and their connection is closed), while
 * requests already admitted (chat and OpenAI streams included) and background work (session
 * titles) may finish for up to `graceMs`. Then background work still running is aborted and the
 * server stops; whatever is still open at the deadline is cut. Resolves once stopped, with how
 * many requests were cut and how many pieces of background work were aborted.
 */
export async function drainAndStop(options: {
  state: GatewayState;
  server: RunningServer;
  graceMs: number;
  logger: Logger;
  background?: BackgroundWork;
}): Promise<{ cut: number; aborted: number }> {
  const { state, server, logger, background } = options;
  state.draining = true;
  logger.info(
    { requests: state.requests, streams: state.inFlight, background: background?.pending ?? 0 },
    "draining",
  );
  const deadline = Date.now() + options.graceMs;
  // A turn finishing during the grace period may start a title before its request closes, so
  // both counts are watched together.
  while ((state.requests > 0 || (background?.pending ?? 0) > 0) && Date.now() < deadline)
    await sleep(POLL_MS);
  const cut = state.requests;
  const aborted = background?.pending ?? 0;
  if (cut > 0) logger.warn({ requests: cut }, "grace period over; cutting the requests still open");
  if (background && aborted > 0) {
    logger.warn({ background: aborted }, "grace period over; aborting background work");
    background.abort();
    // Aborted work ends at once (its upstream request is closed); a moment lets it say so.
    for (let waited = 0; background.pending > 0 && waited < ABORT_WAIT_MS; waited += POLL_MS)
      await sleep(POLL_MS);
  }
  const closed = server.close();
  // Nothing admitted is left (or its time is up), and anything new would only be refused: close
  // every connection now rather than wait for clients' spare keep-alive ones to time out.
  server.server.closeAllConnections();
  await closed;
  return { cut, aborted };
}
