import { loadEnv, ZGatewayEnv } from "@dogi/config";
import { createLogger } from "@dogi/logger";
import type { Logger } from "@dogi/logger";
import { testInternalSecret } from "@dogi/testing";
import { createHealthReporter } from "@dogi/trpc";
import { createGateway } from "../app.ts";
import { createServiceClients } from "../clients.ts";
import { serveGateway } from "../serve-gateway.ts";

/**
 * The gateway app in this process, on a free port, in front of the given auth service and
 * inference replicas (session and rag point nowhere: only the OpenAI-compatible door is used).
 */
export async function startTestGateway(options: {
  authUrl: string;
  inferenceUrls: string[];
  env?: Record<string, string>;
  logger?: Logger;
}) {
  const env = loadEnv(ZGatewayEnv, {
    service: "gateway",
    source: {
      AUTH_URL: options.authUrl,
      SESSION_URL: "http://127.0.0.1:9",
      RAG_URL: "http://127.0.0.1:9",
      INFERENCE_URL: options.inferenceUrls[0] ?? "http://127.0.0.1:9",
      INFERENCE_URLS: options.inferenceUrls.join(","),
      LOG_TO_FILE: "false",
      INTERNAL_SECRET: testInternalSecret,
      ...options.env,
    },
  });
  const logger = options.logger ?? createLogger({ service: "gateway", level: "silent" });
  const services = createServiceClients(env);
  const gateway = createGateway({
    logger,
    health: createHealthReporter({ service: "gateway", checks: [] }),
    services,
    env,
  });
  const running = await serveGateway({ gateway, env, logger, host: "127.0.0.1", port: 0 });
  // With REDIS_URL, a test may revoke through another replica as soon as this one is up.
  await gateway.sharing;
  return {
    url: running.url,
    gateway,
    close: async () => {
      gateway.pool.stop();
      const closed = running.close();
      // Clients' spare keep-alive connections would hold the close until they time out.
      running.server.closeAllConnections();
      await closed;
      gateway.closeShared();
    },
  };
}
