import path from "node:path";
import type { TInferenceEnv } from "@dogi/config";
import type { Logger } from "@dogi/logger";
import { createHealthReporter, internalAuthFrom } from "@dogi/trpc";
import { createInferenceApp } from "./app.ts";
import { InferenceEngine } from "./engine/engine.ts";
import { ModelPulls } from "./engine/model-pulls.ts";
import type { LoadedModel } from "./engine/loaded-model.ts";
import { InferenceMetrics } from "./metrics.ts";
import type { UpstreamConfig } from "./upstream.ts";

/** The settings the service runs with (the env, or a test's subset of it). */
export type InferenceSettings = Pick<
  TInferenceEnv,
  | "MODEL_PATH"
  | "MODELS_DIR"
  | "MODEL_ALIASES"
  | "DEFAULT_MODEL"
  | "LLAMA_GPU"
  | "INFERENCE_THREADS"
  | "UV_THREADPOOL_SIZE"
  | "INFERENCE_PARALLEL"
  | "INFERENCE_CONTEXT_SIZE"
  | "INFERENCE_QUEUE_MAX"
  | "INFERENCE_SLOTS_PER_CALLER"
  | "INFERENCE_PARKED_PREFIX_MB"
  | "INFERENCE_REQUEST_TIMEOUT_MS"
  | "UPSTREAM_BASE_URL"
  | "UPSTREAM_API_KEY"
  | "UPSTREAM_MODEL"
  | "UPSTREAM_TIMEOUT_MS"
  | "UPSTREAM_IDLE_TIMEOUT_MS"
  | "DOGI_DEV_ERRORS"
  | "INTERNAL_SECRET"
  | "INTERNAL_HOSTNAMES"
  | "INFERENCE_PUBLIC"
  | "HUGGING_FACE_TOKEN"
> &
  // Optional for the tests' subsets, which then pause nothing; the env always sets it.
  Partial<Pick<TInferenceEnv, "INFERENCE_PAUSED_SEQUENCES">>;

/** Builds the engine, metrics, health and app; `engine.start()` loads the models. */
export async function createInferenceService(settings: InferenceSettings, logger: Logger) {
  const upstream: UpstreamConfig | undefined = settings.UPSTREAM_BASE_URL
    ? {
        baseUrl: settings.UPSTREAM_BASE_URL,
        apiKey: settings.UPSTREAM_API_KEY,
        model: settings.UPSTREAM_MODEL,
        timeoutMs: settings.UPSTREAM_TIMEOUT_MS,
        idleTimeoutMs: settings.UPSTREAM_IDLE_TIMEOUT_MS,
      }
    : undefined;
  const engine = await InferenceEngine.create({
    logger,
    gpu: settings.LLAMA_GPU,
    threads: settings.INFERENCE_THREADS,
    libuvThreads: settings.UV_THREADPOOL_SIZE,
    parallel: settings.INFERENCE_PARALLEL,
    contextSize: settings.INFERENCE_CONTEXT_SIZE,
    queueMax: settings.INFERENCE_QUEUE_MAX,
    slotsPerCaller: settings.INFERENCE_SLOTS_PER_CALLER ?? "fair",
    parkedPrefixBytes: settings.INFERENCE_PARKED_PREFIX_MB * 1024 * 1024,
    pausedSequences: settings.INFERENCE_PAUSED_SEQUENCES ?? 0,
    modelPath: settings.MODEL_PATH,
    modelsDir: settings.MODELS_DIR,
    aliases: settings.MODEL_ALIASES,
    defaultModel: settings.DEFAULT_MODEL,
    upstream: upstream ? { baseUrl: upstream.baseUrl, model: upstream.model } : undefined,
  });
  const metrics = new InferenceMetrics();
  metrics.addGauge({
    name: "inference_queue_depth",
    help: "Requests waiting for a free sequence.",
    read: async () => [{ value: engine.status().scheduler.queueDepth }],
  });
  metrics.addGauge({
    name: "inference_busy_sequences",
    help: "Sequences generating right now.",
    read: async () => [{ value: engine.status().scheduler.busySequences }],
  });
  // steps / batches is the mean batch width (how well concurrent requests share decode
  // steps); passes / batches is how many times each batch read the weights (1 at best).
  const modelCounters: Array<[name: string, help: string, read: (model: LoadedModel) => number]> = [
    [
      "inference_decode_batches_total",
      "Decode batches run by the engine.",
      (model) => model.batchStats.batches,
    ],
    [
      "inference_batch_sequence_steps_total",
      "Sequence steps carried by the decode batches (one per sequence per batch).",
      (model) => model.batchStats.sequenceSteps,
    ],
    [
      "inference_decode_passes_total",
      "Passes over the model that the decode batches took (llama.cpp splits a batch whose sequence ids are not consecutive).",
      (model) => model.batchStats.passes,
    ],
    [
      "inference_decode_steps_held_total",
      "Decode steps of long generations held out of a batch while shorter work ran.",
      (model) => model.batchStats.heldSteps,
    ],
    [
      "inference_generations_paused_total",
      "Long generations paused while a person's request ran in their place.",
      (model) => model.slots.pauses,
    ],
    [
      "inference_prefixes_parked_total",
      "Conversations' prefixes saved to disk when another conversation took their sequence.",
      (model) => model.parked.stats.parked,
    ],
    [
      "inference_prefixes_restored_total",
      "Saved prefixes loaded back into a sequence when their conversation returned.",
      (model) => model.parked.stats.restored,
    ],
    [
      "inference_prefix_tokens_restored_total",
      "Prompt tokens loaded back from saved prefixes instead of evaluated again.",
      (model) => model.parked.stats.restoredTokens,
    ],
  ];
  for (const [name, help, read] of modelCounters) {
    metrics.addGauge({
      name,
      help,
      type: "counter",
      labelNames: ["model"],
      read: async () =>
        engine.loadedModels().map((model) => ({ labels: { model: model.id }, value: read(model) })),
    });
  }
  metrics.addGauge({
    name: "inference_gpu_memory_bytes",
    help: "GPU memory in use and in total (only when running on a GPU).",
    labelNames: ["kind"],
    read: async () => {
      const memory = await engine.gpuMemory();
      if (!memory) return [];
      return [
        { labels: { kind: "used" }, value: memory.used },
        { labels: { kind: "total" }, value: memory.total },
      ];
    },
  });
  const health = createHealthReporter({
    service: "inference",
    checks: [
      {
        name: "model",
        check: async () => {
          const status = engine.status();
          return {
            name: "model",
            ok: engine.isReady(),
            detail: `${status.mode}${status.defaultModel ? ` (${status.defaultModel})` : ""}`,
          };
        },
      },
    ],
  });
  const pulls = new ModelPulls({
    modelsDir: settings.MODEL_PATH ? undefined : path.resolve(settings.MODELS_DIR),
    token: settings.HUGGING_FACE_TOKEN,
    engine,
    logger,
  });
  const app = createInferenceApp({
    logger,
    health,
    devErrors: settings.DOGI_DEV_ERRORS,
    engine,
    pulls,
    metrics,
    upstream,
    requestTimeoutMs: settings.INFERENCE_REQUEST_TIMEOUT_MS,
    internalAuth: internalAuthFrom(settings),
    publicRoutes: settings.INFERENCE_PUBLIC,
  });
  return { engine, pulls, metrics, health, app };
}
