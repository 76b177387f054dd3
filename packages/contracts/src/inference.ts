import { z } from "zod";

/**
 * How the inference service answers right now:
 * "local" (a model is loaded), "upstream" (only the backup API), "loading" (the default model
 * is still loading) or "none" (no model and no upstream: callers answer in retrieval-only mode).
 */
export const ZInferenceMode = z.enum(["local", "upstream", "loading", "none"]);
export type TInferenceMode = z.infer<typeof ZInferenceMode>;

/** One model file the service knows about. */
export const ZInferenceModelInfo = z.object({
  id: z.string(),
  path: z.string(),
  aliases: z.array(z.string()),
  state: z.enum(["pending", "loading", "loaded", "failed"]),
  isDefault: z.boolean(),
  error: z.string().optional(),
});
export type TInferenceModelInfo = z.infer<typeof ZInferenceModelInfo>;

/** The inference service's state, as the gateway reads it over tRPC (`inference.status`). */
export const ZInferenceStatus = z.object({
  mode: ZInferenceMode,
  /** True when a chat completion can be served (locally or upstream). */
  canGenerate: z.boolean(),
  defaultModel: z.string().nullable(),
  models: z.array(ZInferenceModelInfo),
  /** Where generation runs and why that backend was chosen. */
  backend: z.object({ gpu: z.string(), reason: z.string() }).nullable(),
  upstream: z.object({ baseUrl: z.string(), model: z.string() }).nullable(),
  scheduler: z.object({
    parallel: z.number().int(),
    busySequences: z.number().int(),
    queueDepth: z.number().int(),
    queueMax: z.number().int(),
  }),
  /** What an operator can do when no model is available. */
  hint: z.string().nullable(),
});
export type TInferenceStatus = z.infer<typeof ZInferenceStatus>;

/** The header in which the gateway names the user an inference request is for (its fair queue). */
export const CALLER_HEADER = "x-dogi-caller";
/** The header that marks inference work no person waits on (`background`: session titles). */
export const PRIORITY_HEADER = "x-dogi-priority";

/** A chat prompt to count in the serving model's own tokens (the gateway's chat turn fits it). */
export const ZCountPromptRequest = z.object({
  model: z.string().min(1).max(256).default("default"),
  messages: z
    .array(
      z.object({
        role: z.enum(["system", "user", "assistant"]),
        content: z.string().max(200_000),
      }),
    )
    .min(1)
    .max(1_000),
});
export type TCountPromptRequest = z.input<typeof ZCountPromptRequest>;

/**
 * The prompt's size as the model's chat template renders it, and the context it must fit with
 * the answer; null when an upstream API serves the model (it cannot be counted here).
 */
export const ZPromptCount = z
  .object({
    model: z.string(),
    contextSize: z.number().int().positive(),
    promptTokens: z.number().int().nonnegative(),
  })
  .nullable();
export type TPromptCount = z.infer<typeof ZPromptCount>;
