import http from "node:http";
import type { Express } from "express";
import type { Logger } from "@dogi/logger";

export interface ServeOptions {
  app: Express;
  host: string;
  port: number;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Releases the service's resources (pools, models) after the server stops accepting. */
  onShutdown?: () => Promise<void>;
  /** Exit on SIGTERM/SIGINT after draining; tests that run servers in-process turn it off. */
  handleSignals?: boolean;
}

export interface RunningServer {
  server: http.Server;
  url: string;
  /** Stops accepting, drains requests, releases resources. Safe to call twice. */
  close(): Promise<void>;
}

/** Listens, and on SIGTERM/SIGINT drains in-flight requests and releases resources before exiting. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const server = http.createServer(options.app);
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

  const onSignal = (signal: NodeJS.Signals) => {
    options.logger.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      options.logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, options.shutdownTimeoutMs + 2_000);
    force.unref();
    close().then(
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

  return { server, url, close };
}
