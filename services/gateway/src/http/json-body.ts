import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, Response } from "express";
import type { TAppErrorBody } from "@dogi/contracts";
import { readBody, refuseUpload } from "../edge/body.ts";
import { sendFailure } from "./failure.ts";

/** Whether a request carries a body (type-is's rule: chunked, or a non-zero Content-Length). */
function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers["transfer-encoding"] !== undefined ||
    (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0")
  );
}

function isJson(req: IncomingMessage): boolean {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || type.endsWith("+json");
}

/** Dogi's 413 body for a request over `limit` bytes. */
function tooLarge(req: Request, limit: number): TAppErrorBody {
  return {
    error: {
      code: "PAYLOAD_TOO_LARGE",
      message: `The request body is larger than ${limit} bytes.`,
      requestId: req.requestId,
    },
  };
}

/**
 * Reads a body of at most `limit` bytes, or answers 413 in a way a client still uploading
 * receives (see refuseUpload). Resolves the body, or null when the request was answered or the
 * client left.
 */
async function boundedBody(req: Request, res: Response, limit: number): Promise<Buffer | null> {
  if (req.headers["content-encoding"] && req.headers["content-encoding"] !== "identity") {
    sendFailure(res, req.requestId, {
      code: "BAD_REQUEST",
      message: "Send the body uncompressed (no Content-Encoding).",
    });
    return null;
  }
  const body = await readBody(req, limit);
  if (body === "aborted") return null;
  if (body === "too_large") {
    refuseUpload(req, res, 413, tooLarge(req, limit));
    return null;
  }
  return body;
}

/**
 * JSON bodies of the REST routes, up to `limit` bytes: `req.body` is the parsed object or array
 * (undefined when there is no JSON body); malformed JSON gets 400, a bigger body 413.
 */
export function jsonBody(limit: number) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!hasBody(req)) return next();
    const body = await boundedBody(req, res, limit);
    if (body === null) return;
    const text = body.toString("utf8");
    if (!isJson(req) || text.trim() === "") return next();
    // Like express.json's strict mode: a top-level object or array only.
    const first = text.trimStart()[0];
    let parsed: unknown;
    try {
      if (first !== "{" && first !== "[") throw new Error("expected an object or an array");
      parsed = JSON.parse(text);
    } catch (error) {
      sendFailure(res, req.requestId, {
        code: "BAD_REQUEST",
        message: `The body is not valid JSON: ${(error as Error).message}`,
      });
      return;
    }
    req.body = parsed;
    next();
  };
}

/**
 * A route's raw body (an upload) up to `limit` bytes, as a Buffer in `req.body` (empty when
 * there is none); a bigger one gets a 413 that a client still uploading receives.
 */
export function rawBody(limit: number) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!hasBody(req)) {
      req.body = Buffer.alloc(0);
      return next();
    }
    const body = await boundedBody(req, res, limit);
    if (body === null) return;
    req.body = body;
    next();
  };
}

/**
 * /trpc bodies up to `limit` bytes, read here so that one over it gets a 413 the client sees
 * (tRPC's own limit stops reading mid-upload); tRPC takes the text from `req.body`.
 */
export function trpcBody(limit: number) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!hasBody(req)) return next();
    const body = await boundedBody(req, res, limit);
    if (body === null) return;
    req.body = body.toString("utf8");
    next();
  };
}
