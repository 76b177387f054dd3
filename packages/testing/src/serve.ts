import { serve } from "@dogi/trpc";
import type { RunningServer, ServeOptions } from "@dogi/trpc";

/**
 * Serves an app inside a test process: on a free port of 127.0.0.1, leaving signals to the test
 * runner, with a short shutdown (1 s unless `shutdownTimeoutMs` says otherwise).
 */
export function serveForTest(
  options: Omit<ServeOptions, "host" | "port" | "handleSignals" | "shutdownTimeoutMs"> & {
    shutdownTimeoutMs?: number;
  },
): Promise<RunningServer> {
  return serve({
    host: "127.0.0.1",
    port: 0,
    shutdownTimeoutMs: 1_000,
    handleSignals: false,
    ...options,
  });
}
