import type net from "node:net";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";
import type { Logger } from "@dogi/logger";
import { requestLogger } from "@dogi/logger";
import { requestIdFrom } from "@dogi/trpc";
import { sendFailure } from "../http/failure.ts";
import { resolveClientIp } from "./client-ip.ts";
import type { GatewayMetrics } from "./metrics.ts";
import type { RateLimiter } from "./rate-limiter.ts";

const UNLIMITED = new Set(["/healthz", "/readyz", "/metrics"]);

/** Request id, access log line and metrics for every request, whatever answers it. */
export function accessLog(logger: Logger, metrics: GatewayMetrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    // The service app behind reuses this id for its own logger and the x-request-id echo.
    req.headers["x-request-id"] = requestId;
    const started = performance.now();
    res.once("close", () => {
      const seconds = (performance.now() - started) / 1000;
      const route =
        (req.route as { path?: string } | undefined)?.path ??
        (res.statusCode === 404 ? "unmatched" : req.path);
      metrics.observe(req.method, route, res.statusCode, seconds);
      requestLogger(logger, requestId).info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          completed: res.writableFinished,
          ip: req.socket.remoteAddress,
          userAgent: req.headers["user-agent"],
        },
        "access",
      );
    });
    next();
  };
}

/** Helmet's headers with a strict Content-Security-Policy: only this origin's scripts, styles and calls. */
export function securityHeaders() {
  return helmet({
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
}

/** CORS for the origins in the allow-list only; a preflight from any other origin is refused. */
export function cors(allowed: readonly string[]) {
  const origins = new Set(allowed);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    res.vary("Origin");
    if (origin && origins.has(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-expose-headers", "x-request-id, retry-after");
      if (req.method === "OPTIONS") {
        res.setHeader("access-control-allow-methods", "GET, POST, PATCH, DELETE, OPTIONS");
        res.setHeader(
          "access-control-allow-headers",
          "authorization, content-type, x-request-id, x-api-key",
        );
        res.setHeader("access-control-max-age", "600");
        res.status(204).end();
        return;
      }
    } else if (origin && req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
      res.status(403).end();
      return;
    }
    next();
  };
}

/** Requests per minute per client address (behind TRUSTED_PROXIES, the address they forward). */
export function ipRateLimit(options: {
  limiter: RateLimiter;
  trusted: net.BlockList;
  metrics: GatewayMetrics;
}) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (UNLIMITED.has(req.path)) {
      next();
      return;
    }
    const ip =
      resolveClientIp({
        socketAddress: req.socket.remoteAddress,
        forwardedFor: req.headers["x-forwarded-for"],
        trusted: options.trusted,
      }) ?? "unknown";
    const verdict = options.limiter.take(ip);
    if (verdict.ok) {
      next();
      return;
    }
    options.metrics.rateLimited("ip");
    sendFailure(res, String(req.headers["x-request-id"]), {
      code: "RATE_LIMITED",
      message: `Too many requests from this address; try again in ${verdict.retryAfterSeconds} seconds.`,
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  };
}

/** While shutting down: new requests get 503 and the connection is closed; in-flight ones finish. */
export function refuseWhileDraining(state: { draining: boolean }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!state.draining || req.path === "/healthz") {
      next();
      return;
    }
    res.setHeader("connection", "close");
    sendFailure(res, String(req.headers["x-request-id"]), {
      code: "OVERLOADED",
      message: "Dogi is restarting; try again in a moment.",
      retryAfterSeconds: 5,
    });
  };
}
