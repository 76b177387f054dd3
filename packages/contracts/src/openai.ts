import { z } from "zod";

// OpenAI's wire format, as far as Dogi's inference service speaks it. Requests are parsed
// strictly where it matters: known fields are range-checked, fields of other engines
// (llama-server's slot_id, n_probs, grammar; proxy settings like api_base) are refused by
// name, and any other unknown field is dropped so it never reaches the engine.

/** Fields of other engines or proxies that a request may not carry (refused with a 400). */
export const refusedOpenAiFields = [
  "n_probs",
  "slot_id",
  "id_slot",
  "grammar",
  "json_schema",
  "cache_prompt",
  "n_predict",
  "n_keep",
  "samplers",
  "mirostat",
  "mirostat_tau",
  "mirostat_eta",
  "api_base",
  "base_url",
  "api_key",
  "api_type",
  "api_version",
  "organization",
] as const;

/** The longest `prompt_cache_key` accepted (the gateway's door and inference refuse longer ones). */
export const MAX_PROMPT_CACHE_KEY_CHARS = 256;

const ZTemperature = z.number().min(0).max(2);
const ZUnit = z.number().min(0).max(1);
const ZPenalty = z.number().min(-2).max(2);
/** A generous cap that still refuses absurd values; the context size is checked per request. */
const ZMaxTokens = z.number().int().min(1).max(1_048_576);
const ZStop = z.union([
  z.string().min(1).max(256),
  z.array(z.string().min(1).max(256)).min(1).max(8),
]);

/** Sampling and stopping parameters shared by chat and text completions. */
const samplingFields = {
  model: z.string().min(1).max(256),
  max_tokens: ZMaxTokens.nullish(),
  temperature: ZTemperature.nullish(),
  top_p: ZUnit.nullish(),
  /** Extension (llama.cpp): keep only the K most likely tokens; 0 disables. */
  top_k: z.number().int().min(0).max(1_000_000).nullish(),
  /** Extension (llama.cpp): drop tokens below this fraction of the top token's probability. */
  min_p: ZUnit.nullish(),
  /** Extension (llama.cpp): classic repeat penalty; 1 disables. */
  repeat_penalty: z.number().min(0).max(10).nullish(),
  presence_penalty: ZPenalty.nullish(),
  frequency_penalty: ZPenalty.nullish(),
  seed: z
    .number()
    .int()
    .min(-(2 ** 53 - 1))
    .max(2 ** 53 - 1)
    .nullish(),
  stop: ZStop.nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  user: z.string().max(256).optional(),
  /**
   * Routes requests that share a prompt prefix to the sequence (and replica) that holds it.
   * Scoped by caller: one caller's key never reaches another caller's cache.
   */
  prompt_cache_key: z
    .string({ error: "expected a string" })
    .max(MAX_PROMPT_CACHE_KEY_CHARS, `must be at most ${MAX_PROMPT_CACHE_KEY_CHARS} characters`)
    .nullish(),
};

const ZTextPart = z.object({ type: z.literal("text"), text: z.string() });
const ZMessageContent = z.union([z.string(), z.array(ZTextPart)], {
  error:
    'expected a string or a list of text parts ({"type": "text", "text": "..."}); images, audio and files are not supported',
});

export const ZChatToolCall = z.object({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});
export type TChatToolCall = z.infer<typeof ZChatToolCall>;

export const ZChatMessage = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: ZMessageContent, name: z.string().optional() }),
  z.object({ role: z.literal("developer"), content: ZMessageContent, name: z.string().optional() }),
  z.object({ role: z.literal("user"), content: ZMessageContent, name: z.string().optional() }),
  z.object({
    role: z.literal("assistant"),
    content: ZMessageContent.nullish(),
    name: z.string().optional(),
    tool_calls: z.array(ZChatToolCall).optional(),
  }),
  z.object({ role: z.literal("tool"), content: ZMessageContent, tool_call_id: z.string().min(1) }),
]);
export type TChatMessage = z.infer<typeof ZChatMessage>;

/** A JSON schema, as a plain object; the engine checks what it can turn into a grammar. */
const ZJsonSchemaObject = z.record(z.string(), z.unknown());

export const ZResponseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: ZJsonSchemaObject.optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);
export type TResponseFormat = z.infer<typeof ZResponseFormat>;

export const ZChatTool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes"),
    description: z.string().optional(),
    parameters: ZJsonSchemaObject.optional(),
    strict: z.boolean().nullish(),
  }),
});
export type TChatTool = z.infer<typeof ZChatTool>;

export const ZToolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string().min(1) }) }),
]);
export type TToolChoice = z.infer<typeof ZToolChoice>;

/** POST /v1/chat/completions */
export const ZChatCompletionRequest = z.object({
  ...samplingFields,
  messages: z.array(ZChatMessage).min(1),
  max_completion_tokens: ZMaxTokens.nullish(),
  response_format: ZResponseFormat.nullish(),
  tools: z.array(ZChatTool).max(128).nullish(),
  tool_choice: ZToolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  // Accepted and ignored: they change nothing a local engine does.
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  service_tier: z.string().nullish(),
});
export type TChatCompletionRequest = z.infer<typeof ZChatCompletionRequest>;

/** Token ids as OpenAI's prompt and input fields take them (checked against the vocabulary later). */
const ZTokenIds = z.array(z.number().int().min(0)).min(1);

/** POST /v1/completions */
export const ZCompletionRequest = z.object({
  ...samplingFields,
  prompt: z.union([z.string(), z.array(z.string()).min(1), ZTokenIds, z.array(ZTokenIds).min(1)], {
    error: "expected a string or a list of token ids (or a list holding one of them)",
  }),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
  best_of: z.number().int().min(1).nullish(),
  logprobs: z.number().int().min(0).max(5).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
});
export type TCompletionRequest = z.infer<typeof ZCompletionRequest>;

/** POST /v1/embeddings */
export const ZEmbeddingRequest = z.object({
  model: z.string().min(1).max(256),
  input: z.union(
    [
      z.string().min(1),
      z.array(z.string().min(1)).min(1).max(2048),
      ZTokenIds,
      z.array(ZTokenIds).min(1).max(2048),
    ],
    {
      error:
        "expected a non-empty string, a list of up to 2048 of them, a list of token ids or a list of such lists",
    },
  ),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.number().int().min(1).nullish(),
  user: z.string().max(256).optional(),
});
export type TEmbeddingRequest = z.infer<typeof ZEmbeddingRequest>;

/** How many of the prompt's tokens came from the prompt cache (OpenAI's shape). */
export const ZPromptTokensDetails = z.object({ cached_tokens: z.number().int().nonnegative() });

export const ZUsage = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  prompt_tokens_details: ZPromptTokensDetails.optional(),
});
export type TUsage = z.infer<typeof ZUsage>;

/** llama-server-style timings every generation response carries. */
export const ZTimings = z.object({
  prompt_n: z.number().int().nonnegative(),
  prompt_ms: z.number().nonnegative(),
  prompt_per_second: z.number().nonnegative(),
  predicted_n: z.number().int().nonnegative(),
  predicted_ms: z.number().nonnegative(),
  predicted_per_second: z.number().nonnegative(),
});
export type TTimings = z.infer<typeof ZTimings>;

export const ZFinishReason = z.enum(["stop", "length", "tool_calls", "content_filter"]);
export type TFinishReason = z.infer<typeof ZFinishReason>;

/**
 * The envelope every completion response and stream chunk shares: `object` names the kind, and
 * each choice carries `index`, the kind's own fields (message, delta or text with its finish
 * reason) and `logprobs`, in OpenAI's order.
 */
function completionEnvelope<
  TObject extends string,
  TChoice extends z.ZodRawShape,
  TUsageSchema extends z.ZodType,
>(object: TObject, choice: TChoice, usage: TUsageSchema) {
  return z.object({
    id: z.string(),
    object: z.literal(object),
    created: z.number().int(),
    model: z.string(),
    system_fingerprint: z.string().nullable(),
    choices: z.array(z.object({ index: z.number().int(), ...choice, logprobs: z.null() })),
    usage,
    timings: ZTimings.optional(),
  });
}

export const ZChatCompletion = completionEnvelope(
  "chat.completion",
  {
    message: z.object({
      role: z.literal("assistant"),
      content: z.string().nullable(),
      refusal: z.null(),
      tool_calls: z.array(ZChatToolCall).optional(),
    }),
    finish_reason: ZFinishReason,
  },
  ZUsage,
);
export type TChatCompletion = z.infer<typeof ZChatCompletion>;

export const ZChatCompletionChunk = completionEnvelope(
  "chat.completion.chunk",
  {
    delta: z.object({
      role: z.literal("assistant").optional(),
      content: z.string().nullable().optional(),
      tool_calls: z
        .array(ZChatToolCall.extend({ index: z.number().int() }).partial({ id: true }))
        .optional(),
    }),
    finish_reason: ZFinishReason.nullable(),
  },
  ZUsage.nullable().optional(),
);
export type TChatCompletionChunk = z.infer<typeof ZChatCompletionChunk>;

export const ZTextCompletion = completionEnvelope(
  "text_completion",
  { text: z.string(), finish_reason: ZFinishReason.nullable() },
  ZUsage.nullable().optional(),
);
export type TTextCompletion = z.infer<typeof ZTextCompletion>;

export const ZEmbeddingResponse = z.object({
  object: z.literal("list"),
  model: z.string(),
  data: z.array(
    z.object({
      object: z.literal("embedding"),
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  usage: z.object({
    prompt_tokens: z.number().int().nonnegative(),
    total_tokens: z.number().int().nonnegative(),
  }),
});
export type TEmbeddingResponse = z.infer<typeof ZEmbeddingResponse>;

export const ZModelObject = z.object({
  id: z.string(),
  object: z.literal("model"),
  created: z.number().int(),
  owned_by: z.string(),
});
export type TModelObject = z.infer<typeof ZModelObject>;

export const ZModelList = z.object({ object: z.literal("list"), data: z.array(ZModelObject) });
export type TModelList = z.infer<typeof ZModelList>;
