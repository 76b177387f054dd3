import type { Request, Response } from "express";
import type { Token } from "node-llama-cpp";
import { ZEmbeddingRequest } from "@dogi/contracts";
import type { TEmbeddingRequest, TEmbeddingResponse } from "@dogi/contracts";
import { forwardToUpstream } from "../upstream.ts";
import type { OpenAiDeps } from "./deps.ts";
import { InvalidParamError } from "../engine/errors.ts";
import { sendOpenAiError } from "./errors.ts";
import type { LoadedModel } from "../engine/loaded-model.ts";
import { parseBody, tokenIdsFor } from "./parse.ts";
import { requestScope } from "./sse.ts";

/** The inputs one by one, token ids checked against the model's vocabulary. */
function inputsOf(model: LoadedModel, input: TEmbeddingRequest["input"]): Array<string | Token[]> {
  if (typeof input === "string") return [input];
  if (input.every((item) => typeof item === "number")) return [tokenIdsFor(model, input, "input")];
  return input.map((item, index) =>
    typeof item === "string" ? item : tokenIdsFor(model, item, `input.${index}`),
  );
}

/** Little-endian float32 bytes in base64: what the OpenAI SDK asks for by default. */
function base64Of(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

/** POST /v1/embeddings: one string or a list, as floats or base64. */
export function embeddingsHandler(deps: OpenAiDeps) {
  return async (req: Request, res: Response) => {
    const scope = requestScope(req, res, deps.requestTimeoutMs);
    let model = "unknown";
    try {
      const body = parseBody(ZEmbeddingRequest, req.body);
      model = body.model;
      const route = deps.engine.route(body.model);
      if (route.kind === "upstream") {
        if (!deps.upstream) return;
        await forwardToUpstream({
          config: deps.upstream,
          path: "/embeddings",
          body,
          res,
          signal: scope.signal,
          logger: req.log,
          reason: route.reason,
        });
        return;
      }
      model = route.model.id;
      const data: TEmbeddingResponse["data"] = [];
      let tokens = 0;
      for (const [index, input] of inputsOf(route.model, body.input).entries()) {
        if (scope.signal.aborted) return;
        const { vector, tokens: used } = await route.model.embed(input);
        if (body.dimensions && body.dimensions !== vector.length) {
          throw new InvalidParamError(
            `dimensions: this model's embeddings have ${vector.length} dimensions.`,
            "dimensions",
          );
        }
        tokens += used;
        data.push({
          object: "embedding",
          index,
          embedding: body.encoding_format === "base64" ? base64Of(vector) : [...vector],
        });
      }
      const response: TEmbeddingResponse = {
        object: "list",
        model,
        data,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
      res.json(response);
    } catch (error) {
      sendOpenAiError(res, error, { logger: req.log, requestId: req.requestId });
    } finally {
      deps.metrics.requests.inc({ endpoint: "embeddings", model, status: String(res.statusCode) });
    }
  };
}
