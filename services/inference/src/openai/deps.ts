import type { Logger } from "@dogi/logger";
import type { InferenceEngine } from "../engine/engine.ts";
import type { InferenceMetrics } from "../metrics.ts";
import type { UpstreamConfig } from "../upstream.ts";

/** What the OpenAI-compatible routes need. */
export interface OpenAiDeps {
  engine: InferenceEngine;
  metrics: InferenceMetrics;
  upstream: UpstreamConfig | undefined;
  requestTimeoutMs: number;
  logger: Logger;
}
