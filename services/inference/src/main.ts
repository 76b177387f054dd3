import { loadEnvOrExit, ZInferenceEnv } from "@dogi/config";
import { createServiceLogger } from "@dogi/logger";
import { serve, serverLimits } from "@dogi/trpc";
import { createInferenceService } from "./service.ts";

const { env, notices } = loadEnvOrExit(ZInferenceEnv, { service: "inference" });
const logger = createServiceLogger("inference", env);
for (const notice of notices) logger.warn(notice);

let service;
try {
  service = await createInferenceService(env, logger);
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const { engine, app } = service;

await serve({
  app,
  host: env.SERVICE_HOST,
  port: env.INFERENCE_PORT,
  logger,
  shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  limits: serverLimits(env),
  onShutdown: () => engine.dispose(),
});

// Models load after the port is open, so /healthz answers and /readyz says "starting" meanwhile.
engine.start().catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
  process.exit(1);
});
