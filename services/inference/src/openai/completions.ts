import type { Request, Response } from "express";
import type { TTextCompletion } from "@dogi/contracts";
import { generateText } from "../engine/text.ts";
import { nowSeconds, objectId } from "../util/ids.ts";
import type { OpenAiDeps } from "./deps.ts";
import { InvalidParamError } from "./errors.ts";
import {
  ZCompletionBody,
  openAiFieldsOf,
  parseBody,
  refuseUnsupported,
  samplingFrom,
} from "./parse.ts";
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

/** POST /v1/completions */
export function completionsHandler(deps: OpenAiDeps) {
  return (req: Request, res: Response) =>
    serveGeneration(req, res, deps, () => {
      const body = parseBody(ZCompletionBody, req.body);
      refuseUnsupported(body);
      let prompt: string;
      if (typeof body.prompt === "string") prompt = body.prompt;
      else if (body.prompt.length === 1 && body.prompt[0] !== undefined) prompt = body.prompt[0];
      else throw new InvalidParamError("prompt: send one prompt per request.", "prompt");
      // OpenAI's default for this legacy endpoint is 16 tokens.
      const sampling = { ...samplingFrom(body), maxTokens: body.max_tokens ?? 16 };
      return {
        endpoint: "completions",
        modelName: body.model,
        stream: body.stream === true,
        includeUsage: body.stream_options?.include_usage === true,
        upstreamBody: openAiFieldsOf(body),
        format: textFormat,
        run: (model, hooks, timedOut) => generateText(model, prompt, sampling, hooks, timedOut),
      };
    });
}
