import type { Response } from "express";
import type { Logger } from "@dogi/logger";
import { ZOpenAiErrorBody, toOpenAiError } from "@dogi/contracts";

/** The OpenAI-compatible API used as the backup model. */
export interface UpstreamConfig {
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  /** How long the upstream may take to send its status and headers. */
  timeoutMs: number;
  /** How long its answer may send nothing; a long stream that keeps sending is not cut. */
  idleTimeoutMs: number;
}

/**
 * Sends a validated request body to the upstream under its configured model and relays the
 * answer (JSON or SSE) as it arrives. The caller's own fields were already cleaned, so nothing
 * the caller sent beyond OpenAI's fields reaches the upstream.
 */
export async function forwardToUpstream(options: {
  config: UpstreamConfig;
  path: "/chat/completions" | "/completions" | "/embeddings";
  body: Record<string, unknown>;
  res: Response;
  signal: AbortSignal;
  logger: Logger;
  reason: string;
}): Promise<void> {
  const { config, res, logger } = options;
  const url = `${config.baseUrl.replace(/\/+$/, "")}${options.path}`;
  logger.info({ upstream: config.baseUrl, reason: options.reason }, "forwarding to the upstream");
  // Not one deadline for the whole answer: a streamed answer may rightly take minutes.
  const controller = new AbortController();
  const signal = AbortSignal.any([options.signal, controller.signal]);
  const headersTimer = setTimeout(
    () => controller.abort(new Error(`the upstream sent no headers in ${config.timeoutMs} ms`)),
    config.timeoutMs,
  );
  let upstream: globalThis.Response;
  try {
    upstream = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
      },
      body: JSON.stringify({ ...options.body, model: config.model }),
      signal,
    });
  } catch (error) {
    clearTimeout(headersTimer);
    if (options.signal.aborted) return;
    logger.warn({ err: error }, "upstream unreachable");
    res.status(503).json(
      toOpenAiError({
        code: "UPSTREAM_UNAVAILABLE",
        message: "The local model cannot answer and the upstream API is unreachable.",
      }),
    );
    return;
  }
  clearTimeout(headersTimer);
  const idle = setTimeout(
    () => controller.abort(new Error(`the upstream sent nothing for ${config.idleTimeoutMs} ms`)),
    config.idleTimeoutMs,
  );
  try {
    await relay(upstream, res, logger, options.signal, () => idle.refresh());
  } finally {
    clearTimeout(idle);
  }
}

/** Passes the upstream's answer on; `onProgress` is called whenever a piece of it arrives. */
async function relay(
  upstream: globalThis.Response,
  res: Response,
  logger: Logger,
  clientSignal: AbortSignal,
  onProgress: () => void,
): Promise<void> {
  res.setHeader("x-dogi-served-by", "upstream");
  if (!upstream.ok) {
    const text = await upstream.text().catch(() => "");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = undefined;
    }
    const body = ZOpenAiErrorBody.safeParse(parsed);
    logger.warn({ status: upstream.status }, "upstream refused the request");
    // A 4xx is about the request and goes back as is; anything else is the upstream's fault.
    if (upstream.status < 500 && body.success) {
      res.status(upstream.status).json(body.data);
    } else {
      res.status(503).json(
        toOpenAiError({
          code: "UPSTREAM_UNAVAILABLE",
          message: `The upstream API failed with status ${upstream.status}.`,
        }),
      );
    }
    return;
  }
  res.status(200);
  res.setHeader("content-type", upstream.headers.get("content-type") ?? "application/json");
  if (!upstream.body) {
    res.end();
    return;
  }
  try {
    for await (const chunk of upstream.body) {
      onProgress();
      res.write(chunk);
    }
  } catch (error) {
    if (!clientSignal.aborted) logger.warn({ err: error }, "upstream stream broke off");
  }
  res.end();
}
