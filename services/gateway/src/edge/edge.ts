import type { IncomingMessage, ServerResponse } from "node:http";
import type net from "node:net";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";
import type { Logger } from "@dogi/logger";
import { addressKey, isLauncherProbe, requestIdFrom } from "@dogi/trpc";
import { sendFailure } from "../http/failure.ts";
import { resolveClientIp } from "./client-ip.ts";
import type { GatewayMetrics } from "./metrics.ts";
import type { Limiter } from "./rate-limiter.ts";
import type { RefusalPace } from "./refusal-pace.ts";
import { requestCost } from "./request-cost.ts";

// Liveness costs nothing and /metrics has its own access rule; /readyz fans out, so it is limited.
const UNLIMITED = new Set(["/healthz", "/metrics"]);

/** What shutdown and the stream cap need to know: requests being answered, chat streams, draining. */
/** When each request reached the gateway's edge (performance.now()), before any limit or check. */
const arrivals = new WeakMap<IncomingMessage, number>();

/** When `req` reached the gateway (see arrivals); undefined for one that came another way (tests). */
export function arrivalOf(req: IncomingMessage | undefined): number | undefined {
  return req ? arrivals.get(req) : undefined;
}

export interface GatewayState {
  /** Set on SIGTERM: new requests get 503, admitted ones finish. */
  draining: boolean;
  /** Requests admitted and not yet closed (chat streams and OpenAI streams included). */
  requests: number;
  /** Chat turns being streamed (capped by GATEWAY_MAX_STREAMS). */
  inFlight: number;
}

/** Helmet's headers with a strict Content-Security-Policy: only this origin's scripts, styles and calls. */
function securityHeaderList(): ReadonlyArray<readonly [string, string]> {
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: "same-origin" },
  });
  // With static directives helmet sets the same headers on every response; recording them once
  // and replaying them costs a fraction of running its dozen middlewares on each request.
  const headers: Array<readonly [string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

/** The path of a request's URL, without its query. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

export interface EdgeOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  state: GatewayState;
  trusted: net.BlockList;
  corsOrigins: readonly string[];
  ipLimiter: Limiter;
  /** Holds the refusals of an address that keeps asking while refused. */
  refusalPace: RefusalPace;
}

/**
 * The public edge every request passes, whether Express routes it or the lean OpenAI-compatible
 * route answers it: request id, access log and metrics, refusal while draining, security headers,
 * the CORS allow-list and the per-address rate limit. Written against node's request and
 * response so that both paths share one implementation.
 */
export class Edge {
  private readonly headers = securityHeaderList();
  private readonly origins: ReadonlySet<string>;
  private readonly trustsNoProxy: boolean;

  constructor(private readonly options: EdgeOptions) {
    this.origins = new Set(options.corsOrigins);
    this.trustsNoProxy = options.trusted.rules.length === 0;
  }

  /**
   * Admits a request: resolves to its id, or null when the edge answered it already (draining,
   * CORS preflight, rate limited). `route` labels the metrics (else Express's matched route).
   */
  async admit(req: IncomingMessage, res: ServerResponse, route?: string): Promise<string | null> {
    arrivals.set(req, performance.now());
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    // The service app behind reuses this id for its own logger and the x-request-id echo.
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    const path = pathOf(req);
    this.track(req, res, requestId, path, route);
    for (const [name, value] of this.headers) res.setHeader(name, value);

    if (this.options.state.draining && path !== "/healthz") {
      res.setHeader("connection", "close");
      sendFailure(res, requestId, {
        code: "OVERLOADED",
        message: "Dogi is restarting; try again in a moment.",
        retryAfterSeconds: 5,
      });
      return null;
    }
    if (!this.cors(req, res)) return null;

    // Counted before the limit is asked: with Redis that takes a round trip, during which the
    // client may leave, and a "close" already emitted would never uncount it.
    const state = this.options.state;
    state.requests += 1;
    res.once("close", () => {
      state.requests -= 1;
    });
    if (!UNLIMITED.has(path) && !(await this.withinIpLimit(req, res, requestId))) return null;
    return requestId;
  }

  /** The edge as the first Express middleware. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      this.admit(req, res).then((requestId) => {
        if (requestId !== null) next();
      }, next);
    };
  }

  private track(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    path: string,
    route: string | undefined,
  ): void {
    const started = performance.now();
    const { logger, metrics } = this.options;
    res.once("close", () => {
      const seconds = (performance.now() - started) / 1000;
      const label =
        route ??
        (req as Partial<Request>).route?.path ??
        (res.statusCode === 404 ? "unmatched" : path);
      metrics.observe(req.method ?? "", String(label), res.statusCode, seconds);
      const level = isLauncherProbe(req, path) ? "debug" : "info";
      // Building the line costs more than the rest of a proxied request; skip it when unread.
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          requestId,
          method: req.method,
          path,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          completed: res.writableFinished,
          ip: req.socket.remoteAddress,
          userAgent: req.headers["user-agent"],
        },
        "access",
      );
    });
  }

  /** CORS for the origins in the allow-list only; a preflight from any other origin is refused. */
  private cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    res.setHeader("vary", "Origin");
    if (origin && this.origins.has(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-expose-headers", "x-request-id, retry-after");
      if (req.method === "OPTIONS") {
        res.setHeader("access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
        res.setHeader(
          "access-control-allow-headers",
          "authorization, content-type, x-request-id, x-api-key",
        );
        res.setHeader("access-control-max-age", "600");
        res.statusCode = 204;
        res.end();
        return false;
      }
    } else if (origin && req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
      res.statusCode = 403;
      res.end();
      return false;
    }
    return true;
  }

  /** Requests per minute per client address (behind TRUSTED_PROXIES, the address they forward). */
  private async withinIpLimit(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
  ): Promise<boolean> {
    // With no trusted proxy the peer is the client (a mapped IPv4 peer is keyed as IPv4).
    const ip = this.trustsNoProxy
      ? req.socket.remoteAddress
      : resolveClientIp({
          socketAddress: req.socket.remoteAddress,
          forwardedFor: req.headers["x-forwarded-for"],
          trusted: this.options.trusted,
        });
    const key = addressKey(ip);
    const verdict = await this.options.ipLimiter.take(key, requestCost(pathOf(req)));
    if (verdict.ok) return true;
    this.options.metrics.rateLimited("ip");
    if (!(await this.options.refusalPace.hold(res, `ip:${key}`, verdict.retryAfterSeconds)))
      return false;
    sendFailure(res, requestId, {
      code: "RATE_LIMITED",
      message: `Too many requests from this address; try again in ${verdict.retryAfterSeconds} seconds.`,
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
    return false;
  }
}
