import { ENGINE_EXTENSIONS_SCOPE, MAX_PROMPT_CACHE_KEY_CHARS } from "@dogi/contracts";
import type { Caller } from "../auth/authenticator.ts";
import type { Failure } from "../http/failure.ts";

/** What the operator allows one request of the OpenAI-compatible door (OPENAI_MAX_*). */
export interface OpenAiPolicy {
  maxTokens: number;
  maxPromptChars: number;
}

/** What one caller may ask of the door beyond the OpenAI API. */
export interface OpenAiGrants {
  /** Engine extensions (`ignore_eos`): an API key with the operator-granted scope only. */
  engineExtensions: boolean;
}

/** What `caller` may ask beyond the OpenAI API: only an operator gives a key engine extensions. */
export function grantsOf(caller: Pick<Caller, "kind" | "scopes">): OpenAiGrants {
  return {
    engineExtensions: caller.kind === "api_key" && caller.scopes.includes(ENGINE_EXTENSIONS_SCOPE),
  };
}

/** A request the door accepts: the body to forward and what it may cost. */
export interface AdmittedBody {
  body: Buffer;
  /** The prompt's size in tokens, estimated from its characters. */
  promptTokens: number;
  /** Tokens reserved from the caller's allowance up front: the prompt's estimate plus max_tokens. */
  reservedTokens: number;
  /** A stream whose usage chunk the caller did not ask for: the gateway asks for it and drops it. */
  dropUsageChunk: boolean;
  /** Whether the answer generates text (chat and text completions), so counts as a stream. */
  generates: boolean;
  /** The body's prompt_cache_key: the pool sends the caller's requests with it to one replica. */
  cacheKey?: string;
}

// A character of prompt is about a third of a token in the languages Dogi serves (Korean runs
// denser than English): reserving one token per three characters errs towards the caller paying
// a little more up front, and the difference is returned once the real usage is known.
const CHARS_PER_TOKEN = 3;

const invalid = (message: string): Failure => ({ code: "BAD_REQUEST", message });

/** The characters of text a body asks the model to read (messages, prompt or embedding input). */
export function promptChars(body: Record<string, unknown>): number {
  let total = 0;
  const add = (value: unknown): void => {
    if (typeof value === "string") total += value.length;
    else if (Array.isArray(value)) for (const item of value) add(item);
    else if (value && typeof value === "object") {
      const part = value as Record<string, unknown>;
      add(part.content);
      add(part.text);
      if (part.arguments) add(part.arguments);
      if (Array.isArray(part.tool_calls))
        for (const call of part.tool_calls as Array<{ function?: { arguments?: unknown } }>)
          add(call.function?.arguments);
    }
  };
  add(body.messages);
  add(body.prompt);
  add(body.input);
  return total;
}

/**
 * Applies the door's rules to a POST body before it reaches inference: a JSON object, engine
 * extensions only for a caller granted them (`ignore_eos` makes an answer hold its sequence
 * for the whole max_tokens), max_tokens within the operator's ceiling (and set to it when
 * absent, so every answer has a bound), and a prompt within OPENAI_MAX_PROMPT_CHARS. Streams
 * always ask for usage, so that the tokens reserved up front can be settled with what was used.
 * A granted caller reserves what anyone does: the prompt plus the whole max_tokens.
 */
export function admitOpenAiBody(
  route: string,
  raw: Buffer,
  policy: OpenAiPolicy,
  grants: OpenAiGrants,
): AdmittedBody | Failure {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    return invalid("The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return invalid("The request body must be a JSON object.");
  const body = parsed as Record<string, unknown>;
  const chars = promptChars(body);
  if (chars > policy.maxPromptChars)
    return invalid(
      `The prompt has ${chars} characters; this server accepts at most ${policy.maxPromptChars}. Shorten the messages or prompt.`,
    );
  const promptTokens = Math.ceil(chars / CHARS_PER_TOKEN);
  if (route === "/v1/embeddings")
    return {
      body: raw,
      promptTokens,
      reservedTokens: promptTokens,
      dropUsageChunk: false,
      generates: false,
    };

  if (body.ignore_eos !== undefined && body.ignore_eos !== null && body.ignore_eos !== false) {
    if (!grants.engineExtensions)
      return invalid(
        `ignore_eos is an engine extension: it needs an API key with the ${ENGINE_EXTENSIONS_SCOPE} scope, which an operator grants (a key's owner cannot choose it).`,
      );
    if (body.ignore_eos !== true) return invalid("ignore_eos must be true or false.");
  }
  const cacheKey = body.prompt_cache_key ?? undefined;
  if (
    cacheKey !== undefined &&
    (typeof cacheKey !== "string" || cacheKey.length > MAX_PROMPT_CACHE_KEY_CHARS)
  )
    return invalid(
      `prompt_cache_key must be a string of at most ${MAX_PROMPT_CACHE_KEY_CHARS} characters.`,
    );
  const requested = body.max_completion_tokens ?? body.max_tokens;
  if (requested !== undefined && requested !== null) {
    if (typeof requested !== "number" || !Number.isInteger(requested) || requested < 1)
      return invalid("max_tokens must be a positive integer.");
    if (requested > policy.maxTokens)
      return invalid(
        `max_tokens is ${requested}; this server allows at most ${policy.maxTokens} per request.`,
      );
  }
  const maxTokens = typeof requested === "number" ? requested : policy.maxTokens;
  const changes: Record<string, unknown> = {};
  if (requested === undefined || requested === null) changes.max_tokens = maxTokens;
  let dropUsageChunk = false;
  if (body.stream === true) {
    const options =
      body.stream_options && typeof body.stream_options === "object"
        ? (body.stream_options as Record<string, unknown>)
        : {};
    dropUsageChunk = options.include_usage !== true;
    if (dropUsageChunk) changes.stream_options = { ...options, include_usage: true };
  }
  return {
    // Serialized again only when something changed: most bodies go on as the caller sent them.
    body:
      Object.keys(changes).length === 0
        ? raw
        : Buffer.from(JSON.stringify({ ...body, ...changes })),
    promptTokens,
    reservedTokens: promptTokens + maxTokens * Math.max(1, typeof body.n === "number" ? body.n : 1),
    dropUsageChunk,
    generates: true,
    ...(typeof cacheKey === "string" ? { cacheKey } : {}),
  };
}

/** Whether `admitOpenAiBody` refused the body. */
export function isFailure(value: AdmittedBody | Failure): value is Failure {
  return "code" in value;
}
