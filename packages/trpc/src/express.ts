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
import { isOwnHost } from "./host-check.ts";
import { SERVICE_CREDENTIAL_HEADER, ServiceCredentialVerifier } from "./service-credential.ts";
import { mayCall } from "./service-credential.ts";
import type { CallerRights, ServiceName } from "./service-credential.ts";

declare module "express-serve-static-core" {
  interface Request {
    requestId: string;
    log: Logger;
    /** The service whose credential this request carries (internal services only). */
    serviceCaller: ServiceName | null;
  }
}

/** The gateway: reachable by anyone; its procedures and routes check users themselves. */
export interface PublicAccess {
  kind: "public";
}

/**
 * An internal service: a request must name it in its Host header, and /trpc and the extra routes
 * need a service credential addressed to it (the tRPC instance's caller rights then decide which
 * procedures). /healthz and /readyz stay open to the launcher and container health checks.
 */
export interface InternalAccess {
  kind: "internal";
  service: ServiceName;
  /** INTERNAL_SECRET, which signs every service credential of the deployment. */
  secret: string;
  /** Host names besides IP addresses, localhost and the service's own name (INTERNAL_HOSTNAMES). */
  hostnames?: readonly string[];
  /** Which callers may use which extra routes (by path); unset: they need no credential (INFERENCE_PUBLIC). */
  routeRights?: CallerRights;
  /** Writes a refusal on an extra route, in that route family's error shape. */
  refuseRoute?: (res: Response, code: "UNAUTHENTICATED" | "FORBIDDEN", message: string) => void;
}

export type ServiceAccess = PublicAccess | InternalAccess;

/** What an internal service's app needs from its environment to check its callers. */
export interface InternalAuthSettings {
  /** INTERNAL_SECRET. */
  secret: string;
  /** INTERNAL_HOSTNAMES. */
  hostnames?: readonly string[];
}

/** The settings of an internal service's env (INTERNAL_SECRET, INTERNAL_HOSTNAMES). */
export function internalAuthFrom(env: {
  INTERNAL_SECRET: string;
  INTERNAL_HOSTNAMES: readonly string[];
}): InternalAuthSettings {
  return { secret: env.INTERNAL_SECRET, hostnames: env.INTERNAL_HOSTNAMES };
}

export interface ServiceAppOptions<Ctx extends BaseContext> {
  logger: Logger;
  devErrors: boolean;
  health: HealthReporter;
  router: AnyRouter;
  /** Who may reach the app (see {@link InternalAccess}). */
  access: ServiceAccess;
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
  /**
   * Whether code running for a request sees its id (`currentRequestId()`, which outgoing tRPC
   * calls forward). Default true. A service that calls no other service may turn it off: it is
   * an AsyncLocalStorage, and once one has run, Node 20 calls a hook for every promise the
   * process creates; token streaming creates dozens of them per token.
   */
  propagateRequestId?: boolean;
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
    if (options.propagateRequestId === false) next();
    else runInRequestScope({ requestId }, next);
  });

  const access = options.access;
  const verifier =
    access.kind === "internal"
      ? new ServiceCredentialVerifier({ secret: access.secret, self: access.service })
      : undefined;
  if (access.kind === "internal") {
    const names = [access.service, ...(access.hostnames ?? [])];
    app.use((req, res, next) => {
      if (isOwnHost(req.headers.host, names)) {
        next();
        return;
      }
      sendAppError(
        res,
        req.requestId,
        "FORBIDDEN",
        `Host ${JSON.stringify(req.headers.host ?? "")} does not name the ${access.service} service; call it by IP address, localhost or ${names.join(", ")} (more names: INTERNAL_HOSTNAMES).`,
      );
    });
  }

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

  // Everything below /healthz and /readyz learns its caller; /trpc's procedures and the guard
  // of the extra routes decide what that caller may do.
  app.use(async (req, _res, next) => {
    const header = req.headers[SERVICE_CREDENTIAL_HEADER];
    req.serviceCaller = verifier
      ? await verifier.callerOf(typeof header === "string" ? header : undefined)
      : null;
    next();
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
          caller: req.serviceCaller,
          credentials: {
            authorization: req.headers.authorization,
            apiKey:
              typeof req.headers["x-api-key"] === "string" ? req.headers["x-api-key"] : undefined,
          },
          req,
        }),
      maxBodySize: options.maxTrpcBodyBytes ?? 1024 * 1024,
      ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
    }),
  );

  if (access.kind === "internal" && access.routeRights !== undefined) {
    const rights = access.routeRights;
    const refuse =
      access.refuseRoute ??
      ((res, code, message) => {
        sendAppError(res, res.req.requestId, code, message);
      });
    app.use((req, res, next) => {
      if (req.serviceCaller === null) {
        refuse(
          res,
          "UNAUTHENTICATED",
          `The ${access.service} service answers Dogi's own services only: this call carries no valid service credential.`,
        );
      } else if (!mayCall(rights, req.serviceCaller, req.path)) {
        refuse(
          res,
          "FORBIDDEN",
          `The ${req.serviceCaller} service may not call ${req.method} ${req.path} on ${access.service}.`,
        );
      } else next();
    });
  }

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
