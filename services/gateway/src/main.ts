import { loadEnvOrExit, ZGatewayEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter } from "@dogi/trpc";
import { createGateway } from "./app.ts";
import { createServiceClients, serviceReadinessChecks } from "./clients.ts";
import { serveGateway } from "./serve-gateway.ts";
import { drainAndStop } from "./shutdown.ts";

const { env, notices } = loadEnvOrExit(ZGatewayEnv, { service: "gateway" });
const logger = createServiceLogger("gateway", env);
for (const notice of notices) logger.warn(notice);
const services = createServiceClients(env);
const health = createHealthReporter({
  service: "gateway",
  checks: serviceReadinessChecks(services),
  // Probes and status pages fan out to four services: one round a second, however many ask.
  cacheMs: 1_000,
});
const gateway = createGateway({ logger, health, services, env });
gateway.pool.start();
gateway.deletions.start();

// On SIGTERM: refuse new requests with 503 at once, let admitted ones (streams too) and session
// titles being written finish within SHUTDOWN_TIMEOUT_MS, then exit.
await serveGateway({
  gateway,
  env,
  logger,
  host: env.GATEWAY_HOST,
  port: env.GATEWAY_PORT,
  onShutdown: async () => {
    gateway.pool.stop();
    gateway.closeShared();
  },
  drain: async (running) => {
    // No new pass of deletions; one under way is background work that the drain waits for.
    gateway.deletions.stop();
    const { cut, aborted } = await drainAndStop({
      state: gateway.state,
      server: running,
      graceMs: env.SHUTDOWN_TIMEOUT_MS,
      logger,
      background: gateway.background,
    });
    logger.info({ cut, aborted }, "drained");
  },
});
