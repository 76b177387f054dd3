import type { Request, Response } from "express";
import type { TChatCompletion, TChatCompletionChunk } from "@dogi/contracts";
import { generateChat } from "../engine/chat.ts";
import { toChatHistory } from "../engine/messages.ts";
import { nowSeconds, objectId } from "../util/ids.ts";
import { constraintsFor } from "./constraints.ts";
import type { OpenAiDeps } from "./deps.ts";
import { ZChatBody, openAiFieldsOf, parseBody, refuseUnsupported, samplingFrom } from "./parse.ts";
import { serveGeneration } from "./serve-generation.ts";
import type { GenerationFormat } from "./serve-generation.ts";

/** Chat completion chunks and bodies for one response. */
export function chatFormat(model: string): GenerationFormat {
  const id = objectId("chatcmpl");
  const created = nowSeconds();
  const chunk = (
    delta: TChatCompletionChunk["choices"][number]["delta"],
    finish: TChatCompletionChunk["choices"][number]["finish_reason"] = null,
  ): TChatCompletionChunk => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  return {
    firstChunk: () => chunk({ role: "assistant", content: "" }),
    textChunk: (text) => chunk({ content: text }),
    finishChunks: (outcome) => {
      const chunks: TChatCompletionChunk[] = [];
      if (outcome.toolCalls.length > 0) {
        chunks.push(
          chunk({ tool_calls: outcome.toolCalls.map((call, index) => ({ index, ...call })) }),
        );
      }
      chunks.push({ ...chunk({}, outcome.finishReason), timings: outcome.timings });
      return chunks;
    },
    usageChunk: (usage) => ({ ...chunk({}), choices: [], usage }),
    body: (outcome, usage): TChatCompletion => ({
      id,
      object: "chat.completion",
      created,
      model,
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: outcome.toolCalls.length > 0 && !outcome.text ? null : outcome.text,
            refusal: null,
            ...(outcome.toolCalls.length > 0 ? { tool_calls: outcome.toolCalls } : {}),
          },
          finish_reason: outcome.finishReason,
          logprobs: null,
        },
      ],
      usage,
      timings: outcome.timings,
    }),
  };
}

/** POST /v1/chat/completions */
export function chatCompletionsHandler(deps: OpenAiDeps) {
  return (req: Request, res: Response) =>
    serveGeneration(req, res, deps, () => {
      const body = parseBody(ZChatBody, req.body);
      refuseUnsupported(body);
      const sampling = samplingFrom(body);
      const history = toChatHistory(body.messages);
      return {
        endpoint: "chat",
        modelName: body.model,
        stream: body.stream === true,
        includeUsage: body.stream_options?.include_usage === true,
        cacheKey: body.prompt_cache_key ?? undefined,
        upstreamBody: openAiFieldsOf(body),
        format: chatFormat,
        run: async (model, hooks, timedOut) => {
          const constraints = await constraintsFor(model.model.llama, body);
          return generateChat(model, { history, sampling, ...constraints }, hooks, timedOut);
        },
      };
    });
}
