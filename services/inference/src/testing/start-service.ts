import OpenAI from "openai";
import { createLogger } from "@dogi/logger";
import type { Logger } from "@dogi/logger";
import { serveForTest, testCredential, testInternalSecret } from "@dogi/testing";
import { createServiceClient } from "@dogi/trpc";
import type { InferenceRouter } from "../router.ts";
import { createInferenceService } from "../service.ts";
import type { InferenceSettings } from "../service.ts";

const defaults: InferenceSettings = {
  MODEL_PATH: undefined,
  MODELS_DIR: "/nonexistent-models-dir",
  MODEL_ALIASES: undefined,
  DEFAULT_MODEL: undefined,
  LLAMA_GPU: "off",
  // One thread: the test suites share two cores with other servers; spinning threads fight.
  INFERENCE_THREADS: 1,
  INFERENCE_PARALLEL: 2,
  INFERENCE_CONTEXT_SIZE: 2048,
  INFERENCE_QUEUE_MAX: 4,
  INFERENCE_PARKED_PREFIX_MB: 512,
  INFERENCE_REQUEST_TIMEOUT_MS: 60_000,
  UPSTREAM_BASE_URL: undefined,
  UPSTREAM_API_KEY: undefined,
  UPSTREAM_MODEL: "upstream-model",
  UPSTREAM_TIMEOUT_MS: 10_000,
  UPSTREAM_IDLE_TIMEOUT_MS: 10_000,
  DOGI_DEV_ERRORS: false,
  INTERNAL_SECRET: testInternalSecret,
  INTERNAL_HOSTNAMES: [],
  // The engine's own tests speak OpenAI to /v1 directly, as to an inference server run on its
  // own; access-control.test.ts and the gateway's stacks run it guarded (false).
  INFERENCE_PUBLIC: true,
};

/** A running inference service (real HTTP, real node-llama-cpp) and an OpenAI SDK client for it. */
export interface TestInference {
  url: string;
  client: OpenAI;
  service: Awaited<ReturnType<typeof createInferenceService>>;
  logger: Logger;
  close(): Promise<void>;
}

/** Starts the service on a free port and waits until its models have loaded. */
export async function startTestInference(
  settings: Partial<InferenceSettings> = {},
): Promise<TestInference> {
  const logger = createLogger({ service: "inference-test", level: "silent" });
  const service = await createInferenceService({ ...defaults, ...settings }, logger);
  const running = await serveForTest({
    app: service.app,
    logger,
    shutdownTimeoutMs: 2_000,
    onShutdown: () => service.engine.dispose(),
  });
  await service.engine.start();
  const client = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: "test", maxRetries: 0 });
  return { url: running.url, client, service, logger, close: running.close };
}

/** A tRPC client of the inference service at `url`, signed as the gateway signs its calls. */
export function inferenceTrpc(url: string, timeoutMs: number) {
  return createServiceClient<InferenceRouter>({
    url,
    timeoutMs,
    credential: testCredential("inference"),
  });
}

/** POSTs raw JSON to `url`'s /v1/chat/completions: model "default" saying "hi", with `extra` on top. */
export function postChatHi(url: string, extra: Record<string, unknown>): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "default",
      messages: [{ role: "user", content: "hi" }],
      ...extra,
    }),
  });
}
