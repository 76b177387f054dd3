import type { TChatDoneEvent } from "@dogi/contracts";
import type { GenerationResult } from "./generate.ts";

/**
 * The prompt_cache_key of a chat session's turns: inference keeps the session's history in one
 * sequence (and the pool on one replica) between turns, so the next turn evaluates only what
 * is new. Inference scopes keys by the user the gateway names, so no other user reaches it.
 */
export function sessionCacheKey(sessionId: string): string {
  return `session:${sessionId}`;
}

/** The usage of a turn's done event, with the cached part of the prompt when inference told it. */
export function doneUsage(usage: GenerationResult["usage"]): TChatDoneEvent["usage"] {
  return {
    prompt_tokens: usage?.promptTokens ?? 0,
    completion_tokens: usage?.completionTokens ?? 0,
    ...(usage?.cachedTokens === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: usage.cachedTokens } }),
  };
}
