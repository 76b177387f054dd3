import type { ServerResponse } from "node:http";
import { TRPCClientError } from "@trpc/client";
import { errorMappings, ZAppErrorCode } from "@dogi/contracts";
import type { TAppErrorBody, TAppErrorCode, TFieldIssue } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";

/** A failure as the public edge reports it: Dogi's code, a message, and when to retry. */
export interface Failure {
  code: TAppErrorCode;
  message: string;
  issues?: TFieldIssue[] | undefined;
  retryAfterSeconds?: number | undefined;
}

interface ServiceErrorData {
  appCode?: unknown;
  issues?: TFieldIssue[];
  retryAfterSeconds?: number;
}

/**
 * What went wrong, from an AppError raised here, an error another service returned through its
 * tRPC client, or a service that could not be reached at all (UPSTREAM_UNAVAILABLE, never a 500).
 */
export function describeFailure(error: unknown): Failure {
  if (error instanceof AppError) {
    return {
      code: error.appCode,
      message: error.message,
      issues: error.issues,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? undefined) as ServiceErrorData | undefined;
    const parsed = ZAppErrorCode.safeParse(data?.appCode);
    if (parsed.success) {
      return {
        code: parsed.data,
        message: error.message,
        issues: data?.issues ?? undefined,
        retryAfterSeconds: data?.retryAfterSeconds ?? undefined,
      };
    }
    // No tRPC error shape: the service did not answer (refused, reset, timed out).
    const timedOut = /timeout|aborted/i.test(String(error.cause ?? error.message));
    return timedOut
      ? { code: "TIMEOUT", message: "A Dogi service did not answer in time; try again." }
      : {
          code: "UPSTREAM_UNAVAILABLE",
          message: "A Dogi service is unavailable right now; try again shortly.",
          retryAfterSeconds: 5,
        };
  }
  return { code: "INTERNAL", message: "internal error" };
}

/** Sends a failure as Dogi's JSON error body, with Retry-After when the caller should wait. */
export function sendFailure(res: ServerResponse, requestId: string, failure: Failure): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const message =
    failure.code === "INTERNAL" ? `internal error (request id ${requestId})` : failure.message;
  const body: TAppErrorBody = {
    error: {
      code: failure.code,
      message,
      requestId,
      ...(failure.issues ? { issues: failure.issues } : {}),
    },
  };
  sendJson(res, errorMappings[failure.code].http, body, failure.retryAfterSeconds);
}

/** Sends a JSON body with a status (and Retry-After), without Express, for the lean routes too. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  retryAfterSeconds?: number,
): void {
  if (retryAfterSeconds !== undefined)
    res.setHeader("retry-after", String(Math.max(1, Math.ceil(retryAfterSeconds))));
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.end(text);
}
