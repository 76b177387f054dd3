import type { IncomingMessage } from "node:http";
import { initTRPC } from "@trpc/server";
import { appCodeFromTrpc, flattenZodIssues } from "@dogi/contracts";
import type { TAppErrorCode, TFieldIssue, TIdentity } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import { AppError } from "./app-error.ts";
import type { HealthReporter } from "./health.ts";
import { mayCall } from "./service-credential.ts";
import type { CallerRights, ServiceName } from "./service-credential.ts";

/** The part of the context that needs no request: dependencies, built once per process. */
export interface BaseContext {
  logger: Logger;
  health: HealthReporter;
  requestId: string;
  /** Include stack traces and internal messages in errors (DOGI_DEV_ERRORS=true only). */
  devErrors: boolean;
  /** The Dogi service whose credential the request carries; null at the public gateway or without one. */
  caller: ServiceName | null;
  /** Raw credentials the caller presented, for the auth hook to verify. */
  credentials: { authorization?: string | undefined; apiKey?: string | undefined };
  /** The HTTP request, for what only it tells (where an admin acts from, for the audit log). */
  req?: IncomingMessage;
}

/** Dogi-specific fields every tRPC error carries in `data`. */
export interface DogiErrorData {
  appCode: TAppErrorCode;
  requestId: string | undefined;
  issues: TFieldIssue[] | undefined;
  retryAfterSeconds: number | undefined;
}

interface IssueCarrier {
  issues: ReadonlyArray<{
    path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
    message: string;
  }>;
}

function hasIssues(value: unknown): value is IssueCarrier {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as { issues?: unknown }).issues)
  );
}

function issuesOf(error: unknown): TFieldIssue[] | undefined {
  if (error instanceof AppError) return error.issues;
  const cause = (error as { cause?: unknown }).cause;
  if (!hasIssues(cause)) return undefined;
  // Zod issues and Standard Schema issues differ only in how a path segment is written.
  const normalized = cause.issues.map((issue) => ({
    message: issue.message,
    path: (issue.path ?? []).map((segment) =>
      typeof segment === "object" && segment !== null ? segment.key : segment,
    ),
  }));
  return flattenZodIssues(normalized);
}

export interface CreateTrpcOptions<Ctx extends BaseContext> {
  /** Resolves the caller from the context's credentials; null means anonymous. */
  authenticate?: (ctx: Ctx) => Promise<TIdentity | null>;
  /**
   * An internal service's callers and the procedures each may use; every procedure then needs a
   * service credential. Unset: the public gateway, whose procedures check users themselves.
   */
  callers?: CallerRights;
}

/** One tRPC instance per service, with Dogi's error formatter, logging and auth middleware. */
export function createTrpc<Ctx extends BaseContext>(options: CreateTrpcOptions<Ctx> = {}) {
  const t = initTRPC.context<Ctx>().create({
    // Stacks are always computed and then removed below unless the request's context allows them,
    // because the router (and so this instance) is built before the environment is read.
    isDev: true,
    errorFormatter({ shape, error, ctx }) {
      const devErrors = ctx?.devErrors === true;
      const issues = issuesOf(error);
      const appCode =
        error instanceof AppError
          ? error.appCode
          : issues
            ? "VALIDATION_FAILED"
            : appCodeFromTrpc(error.code);
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      const requestId = ctx?.requestId;
      const message =
        internal && !devErrors
          ? `internal error${requestId ? ` (request id ${requestId})` : ""}`
          : issues
            ? `Invalid input: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`
            : shape.message;
      const data: typeof shape.data & DogiErrorData = {
        ...shape.data,
        appCode,
        requestId,
        issues,
        retryAfterSeconds: error instanceof AppError ? error.retryAfterSeconds : undefined,
      };
      if (!devErrors) delete data.stack;
      return { ...shape, message, data };
    },
  });

  const logged = t.procedure.use(async ({ ctx, path, type, next }) => {
    const started = performance.now();
    const result = await next();
    const ms = Math.round(performance.now() - started);
    if (result.ok) {
      ctx.logger.debug({ path, type, ms }, "procedure ok");
    } else if (result.error.code === "INTERNAL_SERVER_ERROR") {
      ctx.logger.error(
        { path, type, ms, err: result.error.cause ?? result.error },
        "procedure failed",
      );
    } else {
      ctx.logger.info({ path, type, ms, code: result.error.code }, "procedure refused");
    }
    return result;
  });

  const callers = options.callers;
  const permitted = callers
    ? logged.use(({ ctx, path, next }) => {
        if (ctx.caller === null)
          throw new AppError(
            "UNAUTHENTICATED",
            "This service answers Dogi's own services only: the call carries no valid service credential.",
          );
        if (!mayCall(callers, ctx.caller, path))
          throw new AppError("FORBIDDEN", `The ${ctx.caller} service may not call ${path}.`);
        return next();
      })
    : logged;

  const authenticated = permitted.use(async ({ ctx, next }) => {
    // tRPC widens ctx to a simplified copy of Ctx; it is the same object.
    const identity = options.authenticate ? await options.authenticate(ctx as Ctx) : null;
    if (!identity)
      throw new AppError("UNAUTHENTICATED", "Sign in first: this call needs a valid token.");
    return next({ ctx: { ...ctx, identity } });
  });

  return {
    router: t.router,
    middleware: t.middleware,
    createCallerFactory: t.createCallerFactory,
    /** Any caller the service's rights admit (anyone at the gateway); calls are logged with their duration. */
    publicProcedure: permitted,
    /** Needs a verified identity (`ctx.identity`), from the service's `authenticate` hook. */
    protectedProcedure: authenticated,
  };
}
