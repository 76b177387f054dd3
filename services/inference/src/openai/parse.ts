import { z } from "zod";
import { ZChatCompletionRequest, ZCompletionRequest, refusedOpenAiFields } from "@dogi/contracts";
import type { Token } from "node-llama-cpp";
import type { SamplingParams } from "../engine/generation.ts";
import type { LoadedModel } from "../engine/loaded-model.ts";
import { InvalidParamError } from "../engine/errors.ts";

/** Extensions beyond OpenAI's fields, under llama-server's names; never sent upstream. */
const extensions = {
  /** Masks end-of-generation tokens so the answer runs to max_tokens (benchmarks, tests). */
  ignore_eos: z.boolean().nullish(),
};

/** POST /v1/chat/completions body: OpenAI's fields plus this service's extensions. */
export const ZChatBody = ZChatCompletionRequest.extend(extensions);
export type TChatBody = z.infer<typeof ZChatBody>;

/** POST /v1/completions body: OpenAI's fields plus this service's extensions. */
export const ZCompletionBody = ZCompletionRequest.extend(extensions);
export type TCompletionBody = z.infer<typeof ZCompletionBody>;

/**
 * The body without this service's extensions: what an OpenAI-compatible upstream accepts. The
 * prompt_cache_key stays here too: it is scoped by the caller in this service, and an upstream
 * would share one key between every caller Dogi sends it.
 */
export function openAiFieldsOf<
  T extends { ignore_eos?: boolean | null; prompt_cache_key?: string | null },
>(body: T): Omit<T, "ignore_eos" | "prompt_cache_key"> {
  const { ignore_eos: _ignored, prompt_cache_key: _scopedHere, ...rest } = body;
  return rest;
}

/**
 * Parses a request body with its schema. Engine-internal or proxy fields are refused by name;
 * other unknown fields are dropped by the schema; the first bad field becomes `param`.
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidParamError("The request body must be a JSON object.", "body");
  }
  const refused = refusedOpenAiFields.filter((field) => Object.hasOwn(body, field));
  const [first] = refused;
  if (first) {
    throw new InvalidParamError(
      `Unsupported field${refused.length > 1 ? "s" : ""} ${refused.join(", ")}: engine or proxy settings cannot be set per request.`,
      first,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const param = issue?.path.map(String).join(".") || "body";
    throw new InvalidParamError(`Invalid ${param}: ${issue?.message ?? "invalid value"}`, param);
  }
  return parsed.data;
}

function notSupported(param: string, what: string): never {
  throw new InvalidParamError(`${param}: ${what} is not supported by this server.`, param);
}

/** Refuses what the engine does not implement rather than silently ignoring it. */
export function refuseUnsupported(body: TChatBody | TCompletionBody): void {
  if ((body.n ?? 1) > 1) notSupported("n", "more than one choice per request (n > 1)");
  if ("logprobs" in body && body.logprobs) notSupported("logprobs", "returning log probabilities");
  if ("top_logprobs" in body && body.top_logprobs) {
    notSupported("top_logprobs", "returning log probabilities");
  }
  if (body.logit_bias && Object.keys(body.logit_bias).length > 0) {
    notSupported("logit_bias", "biasing token ids");
  }
  if ("best_of" in body && (body.best_of ?? 1) > 1) notSupported("best_of", "best_of above 1");
  if ("suffix" in body && body.suffix) notSupported("suffix", "infilling with a suffix");
  if ("echo" in body && body.echo) notSupported("echo", "echoing the prompt");
}

/** llama.cpp seeds are 32-bit; fold any safe integer into that range deterministically. */
function seed32(seed: number): number {
  return Number(BigInt.asUintN(32, BigInt(seed)));
}

/** OpenAI's sampling fields in node-llama-cpp's terms, with OpenAI's defaults. */
export function samplingFrom(body: TChatBody | TCompletionBody): SamplingParams {
  const maxTokens =
    ("max_completion_tokens" in body ? body.max_completion_tokens : undefined) ??
    body.max_tokens ??
    undefined;
  const presence = body.presence_penalty ?? 0;
  const frequency = body.frequency_penalty ?? 0;
  const repeat = body.repeat_penalty ?? 1;
  const penalize = presence !== 0 || frequency !== 0 || repeat !== 1;
  const stop = body.stop ?? [];
  return {
    maxTokens,
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? undefined,
    topK: body.top_k ?? undefined,
    minP: body.min_p ?? undefined,
    seed: body.seed === null || body.seed === undefined ? undefined : seed32(body.seed),
    repeatPenalty: penalize
      ? { penalty: repeat, presencePenalty: presence, frequencyPenalty: frequency, lastTokens: 64 }
      : undefined,
    stop: typeof stop === "string" ? [stop] : stop,
    ignoreEos: body.ignore_eos === true,
  };
}

/**
 * Token ids sent in place of text, checked against the model's vocabulary: llama.cpp refuses an
 * unknown id only when it decodes the batch, which would surface as an internal error.
 */
export function tokenIdsFor(model: LoadedModel, ids: readonly number[], param: string): Token[] {
  const size = model.vocabularySize;
  const unknown = size === undefined ? undefined : ids.find((id) => id >= size);
  if (unknown !== undefined && size !== undefined) {
    throw new InvalidParamError(
      `${param}: token id ${unknown} is not in ${model.id}'s vocabulary (ids 0 to ${size - 1}).`,
      param,
    );
  }
  return ids as Token[];
}
