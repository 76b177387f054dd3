import { loadEnvOrExit, ZGatewayEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { createHealthReporter, serve } from "@dogi/trpc";
import { createGatewayApp } from "./app.ts";
import { createServiceClients, serviceReadinessChecks } from "./clients.ts";

const env = loadEnvOrExit(ZGatewayEnv, { service: "gateway" });
const logger = createServiceLogger("gateway", env);
const services = createServiceClients(env);
const health = createHealthReporter({
  service: "gateway",
  checks: serviceReadinessChecks(services),
});
const app = createGatewayApp({ logger, health, devErrors: env.DOGI_DEV_ERRORS, services });

await serve({
  app,
  host: env.GATEWAY_HOST,
  port: env.GATEWAY_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
});
