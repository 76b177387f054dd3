import express from "express";
import type { Express, NextFunction, Request, Response } from "express";
import { errorMappings, toOpenAiError } from "@dogi/contracts";
import type { Authenticator, Caller } from "../auth/authenticator.ts";
import type { RateLimiter } from "../edge/rate-limiter.ts";
import { describeFailure } from "../http/failure.ts";
import type { Failure } from "../http/failure.ts";
import type { InferencePool } from "./pool.ts";

// Response headers worth passing on; hop-by-hop ones (connection, transfer-encoding) are not.
const PASSED_HEADERS = ["content-type", "cache-control", "retry-after", "x-accel-buffering"];

function sendOpenAiFailure(res: Response, failure: Failure): void {
  if (failure.retryAfterSeconds !== undefined)
    res.setHeader("retry-after", String(Math.max(1, Math.ceil(failure.retryAfterSeconds))));
  res
    .status(errorMappings[failure.code].http)
    .json(toOpenAiError({ code: failure.code, message: failure.message }));
}

export interface OpenAiProxyDeps {
  pool: InferencePool;
  authenticator: Authenticator;
  userLimiter: RateLimiter;
  bodyLimit: string;
  onRateLimited: (limit: string) => void;
}

/** Mounts OpenAI's /v1 routes, proxied to the inference replicas with streams passed through as they come. */
export function mountOpenAiProxy(app: Express, deps: OpenAiProxyDeps): void {
  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    let caller: Caller;
    try {
      caller = await deps.authenticator.requireInference(req);
    } catch (error) {
      sendOpenAiFailure(res, describeFailure(error));
      return;
    }
    const verdict = deps.userLimiter.take(caller.userId);
    if (!verdict.ok) {
      deps.onRateLimited("user");
      sendOpenAiFailure(res, {
        code: "RATE_LIMITED",
        message: `Too many requests; try again in ${verdict.retryAfterSeconds} seconds.`,
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
      return;
    }
    next();
  };
  // Bodies are passed on byte for byte: the engine validates them, and nothing is re-serialized.
  const raw = express.raw({ type: () => true, limit: deps.bodyLimit });
  const tooLarge = (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status === 413) {
      sendOpenAiFailure(res, {
        code: "PAYLOAD_TOO_LARGE",
        message: "The request body is too large.",
      });
      return;
    }
    next(error);
  };
  const proxy = (req: Request, res: Response) => forward(deps.pool, req, res);

  app.post("/v1/chat/completions", authenticate, raw, tooLarge, proxy);
  app.post("/v1/completions", authenticate, raw, tooLarge, proxy);
  app.post("/v1/embeddings", authenticate, raw, tooLarge, proxy);
  app.get("/v1/models", authenticate, proxy);
  app.get("/v1/models/:id", authenticate, proxy);
}

async function forward(pool: InferencePool, req: Request, res: Response): Promise<void> {
  // The client leaving cancels the upstream request, and so the generation it drives.
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const body = Buffer.isBuffer(req.body) ? req.body : undefined;
  let upstream;
  try {
    upstream = await pool.request({
      method: req.method,
      path: req.originalUrl,
      headers: {
        "content-type": req.headers["content-type"] ?? "application/json",
        accept: req.headers.accept ?? "*/*",
        "x-request-id": req.requestId,
      },
      ...(body && body.length > 0 ? { body } : {}),
      signal: controller.signal,
    });
  } catch (error) {
    if (controller.signal.aborted) return;
    req.log.warn({ err: error }, "no inference replica answered");
    sendOpenAiFailure(res, {
      code: "UPSTREAM_UNAVAILABLE",
      message: "The model server is unavailable right now; try again shortly.",
      retryAfterSeconds: 5,
    });
    return;
  }
  const { response } = upstream;
  res.status(response.statusCode ?? 502);
  for (const name of PASSED_HEADERS) {
    const value = response.headers[name];
    if (value !== undefined) res.setHeader(name, value);
  }
  res.flushHeaders();
  // Each chunk is written as it arrives (no buffering), so streamed tokens reach the client at once.
  response.on("data", (chunk: Buffer) => res.write(chunk));
  response.once("end", () => res.end());
  response.once("error", () => res.destroy());
  res.once("close", () => {
    if (!response.complete) response.destroy();
  });
}
