import type { Request, Response } from "express";
import type { TTextCompletion } from "@dogi/contracts";
import { generateText } from "../engine/text.ts";
import { nowSeconds, objectId } from "../util/ids.ts";
import type { OpenAiDeps } from "./deps.ts";
import { InvalidParamError } from "../engine/errors.ts";
import {
  ZCompletionBody,
  openAiFieldsOf,
  parseBody,
  refuseUnsupported,
  samplingFrom,
  tokenIdsFor,
} from "./parse.ts";
import type { TCompletionBody } from "./parse.ts";
import { serveGeneration } from "./serve-generation.ts";
import type { GenerationFormat } from "./serve-generation.ts";

function textFormat(model: string): GenerationFormat {
  const id = objectId("cmpl");
  const created = nowSeconds();
  const base = (text: string, finish: TTextCompletion["choices"][number]["finish_reason"]) => ({
    id,
    object: "text_completion" as const,
    created,
    model,
    system_fingerprint: null,
    choices: [{ index: 0, text, finish_reason: finish, logprobs: null }],
  });
  return {
    textChunk: (text) => base(text, null),
    finishChunks: (outcome) => [{ ...base("", outcome.finishReason), timings: outcome.timings }],
    usageChunk: (usage) => ({ ...base("", null), choices: [], usage }),
    body: (outcome, usage): TTextCompletion => ({
      ...base(outcome.text, outcome.finishReason),
      usage,
      timings: outcome.timings,
    }),
  };
}

/** The one prompt of a request: text, or token ids (OpenAI takes a list of either). */
function onePrompt(prompt: TCompletionBody["prompt"]): string | number[] {
  if (typeof prompt === "string") return prompt;
  if (prompt.every((item) => typeof item === "number")) return prompt;
  if (prompt.length === 1 && prompt[0] !== undefined) return prompt[0];
  throw new InvalidParamError("prompt: send one prompt per request.", "prompt");
}

/** POST /v1/completions */
export function completionsHandler(deps: OpenAiDeps) {
  return (req: Request, res: Response) =>
    serveGeneration(req, res, deps, () => {
      const body = parseBody(ZCompletionBody, req.body);
      refuseUnsupported(body);
      const prompt = onePrompt(body.prompt);
      // OpenAI's default for this legacy endpoint is 16 tokens.
      const sampling = { ...samplingFrom(body), maxTokens: body.max_tokens ?? 16 };
      return {
        endpoint: "completions",
        modelName: body.model,
        stream: body.stream === true,
        includeUsage: body.stream_options?.include_usage === true,
        cacheKey: body.prompt_cache_key ?? undefined,
        upstreamBody: openAiFieldsOf(body),
        format: textFormat,
        run: (model, hooks, timedOut) =>
          generateText(
            model,
            typeof prompt === "string" ? prompt : tokenIdsFor(model, prompt, "prompt"),
            sampling,
            hooks,
            timedOut,
          ),
      };
    });
}
