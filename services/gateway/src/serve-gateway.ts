import type { Logger } from "@dogi/logger";
import { serve, serverLimits } from "@dogi/trpc";
import type { RunningServer } from "@dogi/trpc";
import type { createGateway, GatewaySettings } from "./app.ts";
import { parseTrustedProxies } from "./edge/client-ip.ts";
import { capConnectionsPerAddress } from "./edge/connection-cap.ts";

/**
 * Listens with the gateway's request listener, the HTTP limits every service has, and the cap
 * on connections per client address that only the public door needs.
 */
export function serveGateway(options: {
  gateway: ReturnType<typeof createGateway>;
  env: GatewaySettings;
  logger: Logger;
  host: string;
  port: number;
  onShutdown?: () => Promise<void>;
  /** How it stops on SIGTERM/SIGINT (main.ts: refuse new requests, drain, close); none: no signals. */
  drain?: (running: RunningServer) => Promise<void>;
}): Promise<RunningServer> {
  const { gateway, env } = options;
  return serve({
    app: gateway.listener,
    host: options.host,
    port: options.port,
    logger: options.logger,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    limits: serverLimits(env),
    configure: (server) =>
      capConnectionsPerAddress(server, {
        maxPerAddress: env.GATEWAY_MAX_CONNECTIONS_PER_IP,
        trusted: parseTrustedProxies(env.TRUSTED_PROXIES),
        onRefused: () => gateway.metrics.rateLimited("connections"),
      }),
    ...(options.onShutdown ? { onShutdown: options.onShutdown } : {}),
    // In-process tests give no drain and stop the server themselves.
    ...(options.drain ? { drain: options.drain } : { handleSignals: false }),
  });
}
