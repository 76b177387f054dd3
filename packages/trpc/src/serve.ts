import http from "node:http";
import type { Logger } from "@dogi/logger";
import { applyServerLimits, serverOptions } from "./server-limits.ts";
import type { ServerLimits } from "./server-limits.ts";

export interface ServeOptions {
  /** The Express app, or any request listener. */
  app: http.RequestListener;
  host: string;
  port: number;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Releases the service's resources (pools, models) after the server stops accepting. */
  onShutdown?: () => Promise<void>;
  /** Exit on SIGTERM/SIGINT after draining; tests that run servers in-process turn it off. */
  handleSignals?: boolean;
  /**
   * How the service stops on a signal, when closing the server is not enough (the gateway first
   * refuses new requests and waits for its streams); it must end with `running.close()`.
   */
  drain?: (running: RunningServer) => Promise<void>;
  /** Timeouts and caps (serverLimits(env)); omitted, Node's defaults apply (tests). */
  limits?: ServerLimits;
  /** Called with the server before it listens, e.g. to watch its connections. */
  configure?: (server: http.Server) => void;
}

export interface RunningServer {
  server: http.Server;
  url: string;
  /** Stops accepting, drains requests, releases resources. Safe to call twice. */
  close(): Promise<void>;
}

/** Listens, and on SIGTERM/SIGINT drains in-flight requests and releases resources before exiting. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const server = http.createServer(
    options.limits ? serverOptions(options.limits) : {},
    options.app,
  );
  if (options.limits) applyServerLimits(server, options.limits);
  options.configure?.(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const url = `http://${options.host}:${port}`;
  options.logger.info({ url }, "listening");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets become idle as their in-flight responses finish; close each as it does.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), options.shutdownTimeoutMs);
      await stopped;
      clearInterval(sweep);
      clearTimeout(timer);
      await options.onShutdown?.();
    })();
    return closing;
  };

  const running: RunningServer = { server, url, close };
  const onSignal = (signal: NodeJS.Signals) => {
    options.logger.info({ signal }, "shutting down");
    // A drain waits out its grace period and then closes, which may take the grace period again.
    const margin = options.drain ? 5_000 : 2_000;
    const force = setTimeout(() => {
      options.logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, options.shutdownTimeoutMs + margin);
    force.unref();
    (options.drain ? options.drain(running) : close()).then(
      () => {
        options.logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        options.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  if (options.handleSignals ?? true) {
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }

  return running;
}
