import type { TCountPromptRequest, TPromptCount } from "@dogi/contracts";
import { ZCountPromptRequest } from "@dogi/contracts";
import { renderChatPrompt } from "./chat.ts";
import type { InferenceEngine } from "./engine.ts";
import { toChatHistory } from "./messages.ts";

/**
 * Counts a chat prompt in the tokens of the model that would serve it, rendered by the same chat
 * template as a generation (so the count is what the context check sees); null when the request
 * would go to the upstream API.
 */
export function countChatPrompt(engine: InferenceEngine, input: TCountPromptRequest): TPromptCount {
  const request = ZCountPromptRequest.parse(input);
  const route = engine.route(request.model);
  if (route.kind !== "local") return null;
  const prompt = renderChatPrompt(route.model, { history: toChatHistory(request.messages) });
  return {
    model: route.model.id,
    contextSize: route.model.contextSize,
    promptTokens: prompt.length,
  };
}
