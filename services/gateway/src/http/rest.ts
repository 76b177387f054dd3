import type { Express, Request, Response } from "express";
import type { z } from "zod";
import { flattenZodIssues } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { Authenticator, Caller } from "../auth/authenticator.ts";
import { parseByteSize } from "../edge/body.ts";
import { describeFailure, sendFailure } from "./failure.ts";
import { jsonBody, rawBody } from "./json-body.ts";

/** What a REST handler gets: the validated body and query, the path parameters and the caller. */
export interface RestContext<B, Q> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
  params: Record<string, string>;
  /** Set on routes with `auth: "user"`, `"chat"` or `"admin"`. */
  caller: Caller;
}

/**
 * A handler's answer: a status and JSON body (of the route's `response` schema, checked by the
 * compiler), or "sent" when it wrote the response itself.
 */
export type RestResult<Body = unknown> = { status?: number; body?: Body } | "sent";

/** What the OpenAPI document says about a route. */
export interface RestRouteDoc {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** Express-style path, e.g. /v1/auth/pets/:id. */
  path: string;
  tag: string;
  summary: string;
  /**
   * "user": an access token; "chat": an access token or an API key with the chat scope;
   * "admin": the access token of a user who is an admin now (auth is asked on every call).
   */
  auth: "none" | "user" | "chat" | "admin";
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  /** Status of success (200 by default). */
  status?: number;
  /** The route answers with server-sent events (when the body asks to stream). */
  sse?: boolean;
  /** The body is a file of at most this many bytes, any type, not JSON (`req.body` is a Buffer). */
  upload?: number;
}

/** A route with its handler, types erased so that routes of different shapes share one list. */
export interface RestRoute {
  doc: RestRouteDoc;
  handle(req: Request, res: Response, caller: Caller | null): Promise<RestResult>;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = flattenZodIssues(result.error.issues);
  throw new AppError(
    "VALIDATION_FAILED",
    `Invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    { issues },
  );
}

/** Declares a REST route whose body and query are validated with the given schemas. */
export function defineRoute<
  B extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodUnknown,
>(
  doc: RestRouteDoc & { body?: B; query?: Q; response?: R },
  handler: (ctx: RestContext<z.infer<B>, z.infer<Q>>) => Promise<RestResult<z.input<R>>>,
): RestRoute {
  return {
    doc,
    async handle(req, res, caller) {
      const body =
        doc.body && doc.upload === undefined ? parse(doc.body, req.body ?? {}, "body") : undefined;
      const query = doc.query ? parse(doc.query, req.query, "query") : undefined;
      return handler({
        req,
        res,
        body: body as z.infer<B>,
        query: query as z.infer<Q>,
        params: req.params as Record<string, string>,
        caller: caller ?? { userId: "", token: "", kind: "user", scopes: [] },
      });
    },
  };
}

/** Mounts REST routes: JSON bodies up to `bodyLimit`, the caller verified, failures in Dogi's shape. */
export function mountRestRoutes(
  app: Express,
  routes: readonly RestRoute[],
  options: {
    authenticator: Authenticator;
    bodyLimit: string;
    /** Throws RATE_LIMITED when the caller made too many requests. */
    limitUser: (caller: Caller) => Promise<void>;
    /** Throws FORBIDDEN unless the caller is an admin now. */
    requireAdmin: (caller: Caller) => Promise<void>;
  },
): void {
  const json = jsonBody(parseByteSize(options.bodyLimit));
  for (const route of routes) {
    const body = route.doc.upload === undefined ? json : rawBody(route.doc.upload);
    app[route.doc.method](route.doc.path, body, async (req: Request, res: Response) => {
      try {
        const caller =
          route.doc.auth === "user" || route.doc.auth === "admin"
            ? await options.authenticator.requireUser(req)
            : route.doc.auth === "chat"
              ? await options.authenticator.requireChat(req)
              : null;
        if (caller) await options.limitUser(caller);
        if (caller && route.doc.auth === "admin") await options.requireAdmin(caller);
        const result = await route.handle(req, res, caller);
        if (result === "sent") return;
        const status = result.status ?? route.doc.status ?? 200;
        if (result.body === undefined) res.status(status).end();
        else res.status(status).json(result.body);
      } catch (error) {
        const failure = describeFailure(error);
        if (failure.code === "INTERNAL") req.log.error({ err: error }, "request failed");
        sendFailure(res, req.requestId, failure);
      }
    });
  }
}
