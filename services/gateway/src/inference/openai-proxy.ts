import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from "node:http";
import { toOpenAiError } from "@dogi/contracts";
import { errorMappings } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import { runInRequestScope } from "@dogi/trpc";
import type { Authenticator, Caller } from "../auth/authenticator.ts";
import { readBody, refuseUpload } from "../edge/body.ts";
import type { Edge } from "../edge/edge.ts";
import { pathOf } from "../edge/edge.ts";
import type { Limiter } from "../edge/rate-limiter.ts";
import { describeFailure, sendJson } from "../http/failure.ts";
import type { Failure } from "../http/failure.ts";
import { CALLER_HEADER } from "@dogi/contracts";
import type { RefusalPace } from "../edge/refusal-pace.ts";
import type { UserStreams } from "../edge/user-streams.ts";
import { admitOpenAiBody, grantsOf, isFailure } from "./openai-policy.ts";
import type { AdmittedBody, OpenAiPolicy } from "./openai-policy.ts";
import { affinityOf } from "./pool.ts";
import type { InferencePool, ProxyCall, ProxySink } from "./pool.ts";
import { UsageTap } from "./usage-tap.ts";

// Response headers worth passing on; hop-by-hop ones (connection, transfer-encoding) are not.
const PASSED_HEADERS = [
  "content-type",
  "content-length",
  "cache-control",
  "retry-after",
  "x-accel-buffering",
];

const HEADER_WAIT_MS = 50;

/** The routes of OpenAI's API that the gateway proxies, by method and path (the metrics label). */
function routeOf(method: string | undefined, path: string): string | null {
  if (method === "POST") {
    if (path === "/v1/chat/completions" || path === "/v1/completions" || path === "/v1/embeddings")
      return path;
    return null;
  }
  if (method === "GET") {
    if (path === "/v1/models") return path;
    if (path.startsWith("/v1/models/") && path.length > 11 && !path.includes("/", 11))
      return "/v1/models/:id";
  }
  return null;
}

function sendOpenAiFailure(res: ServerResponse, failure: Failure): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(
    res,
    errorMappings[failure.code].http,
    toOpenAiError({ code: failure.code, message: failure.message }),
    failure.retryAfterSeconds,
  );
}

export interface OpenAiProxyDeps {
  pool: InferencePool;
  authenticator: Authenticator;
  userLimiter: Limiter;
  /** Tokens per minute per user, shared with the chat turn (CHAT_TOKENS_PER_MINUTE). */
  tokenLimiter: Limiter;
  /** Answers being generated per user, shared with the chat turn. */
  userStreams: UserStreams;
  policy: OpenAiPolicy;
  edge: Edge;
  logger: Logger;
  /** Largest request body in bytes; bigger ones get 413. */
  bodyLimitBytes: number;
  onRateLimited: (limit: string) => void;
  /** Holds the refusals of a user who keeps asking while refused. */
  refusalPace: RefusalPace;
}

/**
 * OpenAI's /v1 routes, proxied to the inference replicas. This is the gateway's hot path, so it
 * runs ahead of Express: it passes the same edge (request id, access log, limits, headers) and
 * then does only what a proxy must: authenticate (from a cache, mostly), read the body (kept
 * for a retry on another replica before the first byte), and pipe the answer back chunk by
 * chunk. Returns a request handler that says whether the request was one of its routes.
 */
export function createOpenAiProxy(deps: OpenAiProxyDeps) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const route = routeOf(req.method, pathOf(req));
    if (route === null) return false;
    handle(deps, req, res, route).catch((error: unknown) => {
      deps.logger.error({ err: error }, "OpenAI-compatible request failed");
      sendOpenAiFailure(res, describeFailure(error));
    });
    return true;
  };
}

async function handle(
  deps: OpenAiProxyDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
): Promise<void> {
  const requestId = await deps.edge.admit(req, res, route);
  if (requestId === null) return;
  let caller: Caller;
  try {
    caller =
      deps.authenticator.cachedInference(req) ??
      (await runInRequestScope({ requestId }, () => deps.authenticator.requireInference(req)));
  } catch (error) {
    sendOpenAiFailure(res, describeFailure(error));
    return;
  }
  const verdict = await deps.userLimiter.take(caller.userId);
  if (!verdict.ok) {
    deps.onRateLimited("user");
    await refuseCaller(deps, res, caller, {
      code: "RATE_LIMITED",
      message: `Too many requests; try again in ${verdict.retryAfterSeconds} seconds.`,
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
    return;
  }
  let body: Buffer | undefined;
  if (req.method === "POST") {
    // Read whole (not streamed through) so that a replica refusing before its first byte can
    // be replaced by another one with the same body.
    const read = await readBody(req, deps.bodyLimitBytes);
    if (read === "aborted") return;
    if (read === "too_large") {
      refuseUpload(
        req,
        res,
        errorMappings.PAYLOAD_TOO_LARGE.http,
        toOpenAiError({
          code: "PAYLOAD_TOO_LARGE",
          message: `The request body is larger than ${deps.bodyLimitBytes} bytes.`,
        }),
      );
      return;
    }
    body = read;
  }
  let admitted: AdmittedBody | undefined;
  if (body) {
    const result = admitOpenAiBody(route, body, deps.policy, grantsOf(caller));
    if (isFailure(result)) {
      sendOpenAiFailure(res, result);
      return;
    }
    admitted = result;
    if (!(await admitOnShare(deps, res, caller, admitted))) return;
  }
  forward(deps, req, res, requestId, caller, admitted);
}

/**
 * Takes the request's share of the user's allowances: one of their answers being generated at
 * once (shared with the chat turn), and the tokens it may cost, reserved up front and settled
 * with the real usage when the answer ends. False when refused (the 429 is sent).
 */
async function admitOnShare(
  deps: OpenAiProxyDeps,
  res: ServerResponse,
  caller: Caller,
  admitted: AdmittedBody,
): Promise<boolean> {
  let endStream: (() => void) | undefined;
  if (admitted.generates) {
    try {
      endStream = await deps.userStreams.begin(caller.userId);
    } catch (error) {
      deps.onRateLimited("user_streams");
      await refuseCaller(deps, res, caller, describeFailure(error));
      return false;
    }
    // The client may have left while the count was asked (Redis): then nothing would end it.
    if (res.destroyed) {
      endStream();
      return false;
    }
    res.once("close", endStream);
  }
  const tokens = await deps.tokenLimiter.take(caller.userId, admitted.reservedTokens);
  if (!tokens.ok) {
    deps.onRateLimited("chat_tokens");
    // Not held by a refusal that may be held back a moment.
    endStream?.();
    await refuseCaller(deps, res, caller, {
      code: "RATE_LIMITED",
      message: `This request may use ${admitted.reservedTokens} tokens (prompt and max_tokens), more than is left of your allowance this minute; try again in ${tokens.retryAfterSeconds} seconds or ask for fewer max_tokens.`,
      retryAfterSeconds: tokens.retryAfterSeconds,
    });
    return false;
  }
  return true;
}

/** Sends the refusal of one of the caller's own limits, held first if they ignored the last one. */
async function refuseCaller(
  deps: OpenAiProxyDeps,
  res: ServerResponse,
  caller: Caller,
  failure: Failure,
): Promise<void> {
  const retryAfter = failure.retryAfterSeconds ?? 1;
  if (await deps.refusalPace.hold(res, `user:${caller.userId}`, retryAfter))
    sendOpenAiFailure(res, failure);
}

function forward(
  deps: OpenAiProxyDeps,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  caller: Caller,
  admitted: AdmittedBody | undefined,
): void {
  const tap = admitted ? new UsageTap(admitted.dropUsageChunk) : undefined;
  const answer = new ProxiedAnswer(res, deps.logger, requestId, tap);
  const body = admitted?.body;
  if (admitted) {
    // Settled however the answer ends: nothing for a refusal (an error status: the model read
    // nothing), the real usage, or (cut short, no usage) about one token per frame streamed on
    // top of the prompt's estimate, or else the whole reservation.
    res.once("close", () => {
      const used =
        res.statusCode >= 400
          ? 0
          : tap?.usage
            ? tap.usage.promptTokens + tap.usage.completionTokens
            : tap && tap.frames > 0
              ? Math.min(admitted.reservedTokens, admitted.promptTokens + tap.frames)
              : admitted.reservedTokens;
      deps.tokenLimiter
        .charge(caller.userId, used - admitted.reservedTokens)
        .catch((error: unknown) => deps.logger.warn({ err: error }, "tokens not settled"));
    });
  }
  answer.call = deps.pool.proxy(
    {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: {
        "content-type": req.headers["content-type"] ?? "application/json",
        accept: req.headers.accept ?? "*/*",
        "x-request-id": requestId,
        // Inference shares its queue fairly between the users named here.
        [CALLER_HEADER]: caller.userId,
      },
      ...(body && body.length > 0 ? { body } : {}),
      ...(admitted?.cacheKey === undefined
        ? {}
        : { affinity: affinityOf(caller.userId, admitted.cacheKey) }),
    },
    answer,
  );
  // The client leaving cancels the upstream request, and so the generation it drives.
  res.once("close", answer.onClose);
}

/**
 * A replica's answer written to the client as it arrives: status and headers are held until the
 * first chunk so both leave in one write (a whole JSON answer usually arrives with its headers
 * and goes out in one write with them); a stream whose first token is slow to come gets its
 * headers alone after a moment, so the client sees it open. Each chunk is written as it
 * arrives, never batched, so streamed tokens reach the client at once. A replica that dies
 * mid-answer cuts the client's answer too (never retried: bytes were already sent).
 */
class ProxiedAnswer implements ProxySink {
  call: ProxyCall | undefined;
  private opening: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly logger: Logger,
    private readonly requestId: string,
    private readonly tap: UsageTap | undefined,
  ) {}

  onStart(statusCode: number, headers: IncomingHttpHeaders): void {
    const passed: OutgoingHttpHeaders = {};
    for (const name of PASSED_HEADERS) {
      const value = headers[name];
      if (value !== undefined) passed[name] = value;
    }
    this.res.writeHead(statusCode, passed);
    if (headers["content-length"] === undefined)
      this.opening = setTimeout(this.flushHeaders, HEADER_WAIT_MS);
  }

  onData(chunk: Buffer): boolean {
    this.stopOpening();
    if (this.res.write(this.tap ? this.tap.pass(chunk) : chunk)) return true;
    this.res.once("drain", this.onDrain);
    return false;
  }

  onEnd(): void {
    this.stopOpening();
    this.res.end();
  }

  onError(): void {
    this.stopOpening();
    this.res.destroy();
  }

  onUnavailable(error: Error): void {
    this.logger.warn({ err: error, requestId: this.requestId }, "no inference replica answered");
    sendOpenAiFailure(this.res, {
      code: "UPSTREAM_UNAVAILABLE",
      message: "The model server is unavailable right now; try again shortly.",
      retryAfterSeconds: 5,
    });
  }

  readonly onClose = (): void => {
    this.stopOpening();
    if (!this.res.writableFinished) this.call?.abort();
  };

  private readonly flushHeaders = (): void => {
    this.opening = undefined;
    this.res.flushHeaders();
  };

  private readonly onDrain = (): void => {
    this.call?.resume();
  };

  private stopOpening(): void {
    if (this.opening === undefined) return;
    clearTimeout(this.opening);
    this.opening = undefined;
  }
}
