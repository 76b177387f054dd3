import type { Request, Response } from "express";
import type { TUsage } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { GenerationHooks, GenerationOutcome } from "../engine/generation.ts";
import type { LoadedModel } from "../engine/loaded-model.ts";
import { forwardToUpstream } from "../upstream.ts";
import type { UpstreamConfig } from "../upstream.ts";
import { queueTicketOf } from "./queue-ticket.ts";
import type { OpenAiDeps } from "./deps.ts";
import { sendOpenAiError } from "./errors.ts";
import { SseWriter } from "@dogi/sse";
import { requestScope } from "./sse.ts";

/** How one endpoint shapes its stream chunks and its response body. */
export interface GenerationFormat {
  /** Sent before the first text (chat sends the assistant role). */
  firstChunk?(): unknown;
  textChunk(text: string): unknown;
  finishChunks(outcome: GenerationOutcome): unknown[];
  usageChunk(usage: TUsage): unknown;
  body(outcome: GenerationOutcome, usage: TUsage): unknown;
}

/** One generation request, after parsing: what to run and how to answer. */
export interface GenerationRequest {
  endpoint: "chat" | "completions";
  modelName: string;
  stream: boolean;
  includeUsage: boolean;
  /** The body's prompt_cache_key (scoped by the caller in the engine). */
  cacheKey: string | undefined;
  /** The validated body, for the upstream. */
  upstreamBody: Record<string, unknown>;
  /** Builds the job (grammars, history) and runs it; called only for a local model. */
  run(
    model: LoadedModel,
    hooks: GenerationHooks,
    timedOut: () => boolean,
  ): Promise<GenerationOutcome>;
  format(model: string): GenerationFormat;
}

function usageOf(outcome: GenerationOutcome): TUsage {
  return {
    prompt_tokens: outcome.promptTokens,
    completion_tokens: outcome.completionTokens,
    total_tokens: outcome.promptTokens + outcome.completionTokens,
    prompt_tokens_details: { cached_tokens: outcome.cachedTokens },
  };
}

/**
 * Serves a chat or text completion: routes it to a local model or the upstream, streams or
 * buffers the answer, cancels on disconnect or timeout, and falls back to the upstream when
 * the engine fails before the first token.
 */
export async function serveGeneration(
  req: Request,
  res: Response,
  deps: OpenAiDeps,
  parse: () => GenerationRequest,
): Promise<void> {
  const scope = requestScope(req, res, deps.requestTimeoutMs);
  const errorContext = { logger: req.log, requestId: req.requestId };
  let labels = { endpoint: "unknown", model: "unknown" };
  const count = () =>
    deps.metrics.requests.inc({
      ...labels,
      status: scope.clientGone() ? "499" : String(res.statusCode),
    });
  let request: GenerationRequest | undefined;
  let stream: SseWriter | undefined;
  try {
    request = parse();
    labels = { endpoint: request.endpoint, model: request.modelName };
    const route = deps.engine.route(request.modelName);
    const upstreamPath = request.endpoint === "chat" ? "/chat/completions" : "/completions";
    const { upstreamBody } = request;
    const forward = (config: UpstreamConfig, reason: string) =>
      forwardToUpstream({
        config,
        path: upstreamPath,
        body: upstreamBody,
        res,
        signal: scope.signal,
        logger: req.log,
        reason,
      });
    if (route.kind === "upstream") {
      if (!deps.upstream) throw new AppError("UPSTREAM_UNAVAILABLE", route.reason);
      await forward(deps.upstream, route.reason);
      return;
    }
    const model = route.model;
    labels.model = model.id;
    const format = request.format(model.id);
    const sse = request.stream ? new SseWriter(res) : undefined;
    stream = sse;
    let sentFirst = false;
    const onText = sse
      ? (text: string) => {
          if (!sentFirst && format.firstChunk) sse.data(format.firstChunk());
          sentFirst = true;
          if (text) sse.data(format.textChunk(text));
        }
      : undefined;
    let outcome: GenerationOutcome;
    try {
      outcome = await request.run(
        model,
        {
          signal: scope.signal,
          onText,
          ticket: queueTicketOf(req),
          ...(request.cacheKey === undefined ? {} : { cacheKey: request.cacheKey }),
        },
        scope.timedOut,
      );
    } catch (error) {
      const engineFault = !(error instanceof AppError) && !scope.signal.aborted;
      if (engineFault && deps.upstream && !sse?.started) {
        req.log.error({ err: error }, "local engine failed before the first token");
        await forward(deps.upstream, "local engine error");
        return;
      }
      if (scope.signal.aborted && !scope.clientGone()) {
        throw new AppError("TIMEOUT", "The request timed out waiting for a free model slot.");
      }
      throw error;
    }
    if (scope.clientGone()) {
      req.log.info(
        { completionTokens: outcome.completionTokens },
        "client left; generation cancelled",
      );
      return;
    }
    const usage = usageOf(outcome);
    deps.metrics.recordGeneration({
      model: model.id,
      promptTokens: outcome.timings.prompt_n,
      cachedTokens: outcome.cachedTokens,
      completionTokens: outcome.completionTokens,
      ttftMs: outcome.timings.prompt_ms,
      predictedPerSecond: outcome.timings.predicted_per_second,
    });
    if (sse) {
      if (!sentFirst && format.firstChunk) sse.data(format.firstChunk());
      for (const chunk of format.finishChunks(outcome)) sse.data(chunk);
      if (request.includeUsage) sse.data(format.usageChunk(usage));
      sse.end("data: [DONE]\n\n");
    } else {
      res.json(format.body(outcome, usage));
    }
  } catch (error) {
    if (scope.clientGone()) return;
    if (stream?.started) {
      // Headers are gone: report in-band, as OpenAI does, then end the stream.
      req.log.error({ err: error }, "stream failed");
      stream.data({ error: { message: "internal error", type: "server_error", code: null } });
      stream.end("data: [DONE]\n\n");
      return;
    }
    sendOpenAiError(res, error, errorContext);
  } finally {
    if (res.writableFinished || scope.clientGone()) count();
    else res.once("finish", count);
  }
}
