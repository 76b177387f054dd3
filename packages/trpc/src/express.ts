import express from "express";
import type { Express, NextFunction, Request, Response } from "express";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import type { AnyRouter } from "@trpc/server";
import { errorMappings } from "@dogi/contracts";
import type { TAppErrorBody } from "@dogi/contracts";
import type { HealthReporter } from "./health.ts";
import { requestLogger } from "@dogi/logger";
import type { Logger } from "@dogi/logger";
import type { BaseContext } from "./init.ts";
import { requestIdFrom, runInRequestScope } from "./request-context.ts";

declare module "express-serve-static-core" {
  interface Request {
    requestId: string;
    log: Logger;
  }
}

export interface ServiceAppOptions<Ctx extends BaseContext> {
  logger: Logger;
  devErrors: boolean;
  health: HealthReporter;
  router: AnyRouter;
  /** Adds the service's dependencies to the per-request base context. */
  createContext: (base: BaseContext) => Ctx | Promise<Ctx>;
  /** Largest /trpc request body; bigger ones get 413. Default 1 MiB; rag raises it for uploads. */
  maxTrpcBodyBytes?: number;
  /** Extra routes (REST, OpenAI-compatible) mounted before the 404 handler. */
  routes?: (app: Express) => void;
  /** The most calls one batched /trpc request may carry (larger batches get 400). Default: no cap. */
  maxBatchSize?: number;
  /**
   * Whether this request may see /readyz's dependency details (at a public door: only trusted
   * readers). Others get the status alone. Default: everyone.
   */
  readinessDetails?: (req: Request) => boolean;
}

/** The Express app every service shares: request ids, /healthz, /readyz, /trpc, JSON 404s and errors. */
export function createServiceApp<Ctx extends BaseContext>(
  options: ServiceAppOptions<Ctx>,
): Express {
  const app = express();
  app.disable("x-powered-by");

  app.use((req, res, next) => {
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    req.requestId = requestId;
    req.log = requestLogger(options.logger, requestId);
    res.setHeader("x-request-id", requestId);
    runInRequestScope({ requestId }, next);
  });

  app.get("/healthz", (_req, res) => {
    res.json(options.health.liveness());
  });
  app.get("/readyz", async (req, res) => {
    const report = await options.health.readiness();
    const detailed = options.readinessDetails?.(req) ?? true;
    res
      .status(report.status === "ok" ? 200 : 503)
      .json(detailed ? report : { service: report.service, status: report.status });
  });

  app.use(
    "/trpc",
    createExpressMiddleware({
      router: options.router,
      createContext: ({ req }) =>
        options.createContext({
          logger: req.log,
          requestId: req.requestId,
          health: options.health,
          devErrors: options.devErrors,
          credentials: {
            authorization: req.headers.authorization,
            apiKey:
              typeof req.headers["x-api-key"] === "string" ? req.headers["x-api-key"] : undefined,
          },
        }),
      maxBodySize: options.maxTrpcBodyBytes ?? 1024 * 1024,
      ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
    }),
  );

  options.routes?.(app);

  app.use((req, res) => {
    sendAppError(res, req.requestId, "NOT_FOUND", `No route for ${req.method} ${req.path}`);
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status === 400 || status === 413) {
      // body-parser's errors: malformed JSON or a body over the limit.
      const code = status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
      sendAppError(res, req.requestId, code, (error as Error).message);
      return;
    }
    req.log.error({ err: error }, "unhandled error");
    sendAppError(res, req.requestId, "INTERNAL", `internal error (request id ${req.requestId})`);
  });

  return app;
}

/** Sends Dogi's JSON error body with the status its code maps to. */
export function sendAppError(
  res: Response,
  requestId: string,
  code: TAppErrorBody["error"]["code"],
  message: string,
): void {
  const body: TAppErrorBody = { error: { code, message, requestId } };
  res.status(errorMappings[code].http).json(body);
}
