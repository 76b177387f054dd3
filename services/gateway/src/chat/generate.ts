import { StringDecoder } from "node:string_decoder";
import { CALLER_HEADER, PRIORITY_HEADER } from "@dogi/contracts";
import type { TAppErrorCode } from "@dogi/contracts";
import { SseParser } from "@dogi/sse";
import { affinityOf } from "../inference/pool.ts";
import type { InferencePool } from "../inference/pool.ts";
import { sessionCacheKey } from "./cache-key.ts";
import type { ChatMessage } from "./prompt.ts";

/** A generation that failed, with the code the turn's error event and stored error carry. */
export class GenerationError extends Error {
  constructor(
    readonly code: TAppErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "GenerationError";
  }
}

/** What a finished generation reports. */
export interface GenerationResult {
  model: string | null;
  /** `cachedTokens`: how much of the prompt inference's cache served, when it said. */
  usage: { promptTokens: number; completionTokens: number; cachedTokens?: number } | null;
  finishReason: string | null;
}

interface ChunkShape {
  model?: string;
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number } | null;
  } | null;
  error?: { message?: string; code?: string };
}

// Control characters but tab and line breaks: a small model's byte-level output can hold them
// (NUL among them, which some stores cut text at); they mean nothing in an answer to a person.
const CONTROL_CHARS = /[^\P{Cc}\t\n\r]/gu;

/** Whom a generation is for: inference shares its queue fairly between users, people first. */
export interface InferenceCaller {
  userId: string;
  /** No person waits on it (a session title): it yields to people's requests. */
  background?: boolean;
}

/** The headers that tell inference whose request this is. */
export function callerHeaders(caller: InferenceCaller): Record<string, string> {
  return {
    [CALLER_HEADER]: caller.userId,
    ...(caller.background ? { [PRIORITY_HEADER]: "background" } : {}),
  };
}

function codeForStatus(status: number): TAppErrorCode {
  if (status === 429) return "RATE_LIMITED";
  if (status === 503) return "OVERLOADED";
  if (status === 504) return "TIMEOUT";
  if (status >= 500) return "UPSTREAM_UNAVAILABLE";
  return "BAD_REQUEST";
}

/**
 * Streams a chat completion from the inference replicas, calling `onDelta` with each piece of
 * text as it arrives. Aborting `signal` stops generation upstream (the request is closed).
 */
export async function streamChat(options: {
  pool: InferencePool;
  caller: InferenceCaller;
  messages: ChatMessage[];
  maxTokens: number;
  /** Generate all `maxTokens` even past the end token (inference's ignore_eos extension). */
  ignoreEos?: boolean;
  /** The turn's session: its turns share a prompt cache key (see sessionCacheKey). */
  sessionId?: string;
  signal: AbortSignal;
  onDelta: (text: string) => void;
}): Promise<GenerationResult> {
  const cacheKey = options.sessionId === undefined ? undefined : sessionCacheKey(options.sessionId);
  const body = Buffer.from(
    JSON.stringify({
      model: "default",
      messages: options.messages,
      ...(cacheKey === undefined ? {} : { prompt_cache_key: cacheKey }),
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: options.maxTokens,
      temperature: 0.3,
      ...(options.ignoreEos ? { ignore_eos: true } : {}),
    }),
  );
  let upstream;
  try {
    upstream = await options.pool.request({
      method: "POST",
      path: "/v1/chat/completions",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        ...callerHeaders(options.caller),
      },
      body,
      signal: options.signal,
      ...(cacheKey === undefined ? {} : { affinity: affinityOf(options.caller.userId, cacheKey) }),
    });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new GenerationError("UPSTREAM_UNAVAILABLE", "The model server is unavailable.", 5);
  }
  const { statusCode: status, headers, body: answer } = upstream;
  const decoder = new StringDecoder("utf8");
  if (status !== 200) {
    let text = "";
    for await (const chunk of answer) text += decoder.write(chunk as Buffer);
    let message = `The model server answered ${status}.`;
    try {
      message = (JSON.parse(text) as ChunkShape).error?.message ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    const retryAfter = Number(headers["retry-after"]);
    throw new GenerationError(
      codeForStatus(status),
      message,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
  const parser = new SseParser();
  const result: GenerationResult = { model: null, usage: null, finishReason: null };
  for await (const chunk of answer) {
    for (const frame of parser.push(decoder.write(chunk as Buffer))) {
      if (frame.data === "[DONE]") return result;
      const parsed = JSON.parse(frame.data) as ChunkShape;
      if (parsed.error)
        throw new GenerationError(
          "UPSTREAM_UNAVAILABLE",
          parsed.error.message ?? "generation failed",
        );
      result.model = parsed.model ?? result.model;
      if (parsed.usage) {
        const cached = parsed.usage.prompt_tokens_details?.cached_tokens;
        result.usage = {
          promptTokens: parsed.usage.prompt_tokens ?? 0,
          completionTokens: parsed.usage.completion_tokens ?? 0,
          ...(typeof cached === "number" ? { cachedTokens: cached } : {}),
        };
      }
      const choice = parsed.choices?.[0];
      if (choice?.finish_reason) result.finishReason = choice.finish_reason;
      const text = choice?.delta?.content?.replace(CONTROL_CHARS, "");
      if (text) options.onDelta(text);
    }
  }
  if (options.signal.aborted) throw options.signal.reason ?? new Error("aborted");
  throw new GenerationError("UPSTREAM_UNAVAILABLE", "The model server ended the stream early.");
}

/** A short non-streamed completion (a session title); null when the model cannot answer. */
export async function completeShort(options: {
  pool: InferencePool;
  caller: InferenceCaller;
  messages: ChatMessage[];
  maxTokens: number;
  /** Aborts the request early (e.g. the gateway shutting down). */
  signal?: AbortSignal;
  /** OpenAI's response_format (e.g. a JSON schema the model must follow). */
  responseFormat?: object;
}): Promise<string | null> {
  try {
    const { statusCode, body } = await options.pool.request({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { "content-type": "application/json", ...callerHeaders(options.caller) },
      body: Buffer.from(
        JSON.stringify({
          model: "default",
          messages: options.messages,
          max_tokens: options.maxTokens,
          // Greedy: a title or a classification needs no variety, and is then repeatable.
          temperature: 0,
          ...(options.responseFormat ? { response_format: options.responseFormat } : {}),
        }),
      ),
      signal: options.signal
        ? AbortSignal.any([AbortSignal.timeout(60_000), options.signal])
        : AbortSignal.timeout(60_000),
    });
    let text = "";
    const decoder = new StringDecoder("utf8");
    for await (const chunk of body) text += decoder.write(chunk as Buffer);
    if (statusCode !== 200) return null;
    const parsed = JSON.parse(text) as { choices?: Array<{ message?: { content?: string } }> };
    return parsed.choices?.[0]?.message?.content ?? null;
  } catch {
    return null;
  }
}
