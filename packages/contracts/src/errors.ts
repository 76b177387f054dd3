import { z } from "zod";

/** Every error Dogi reports, one code per failure a caller can act on. */
export const AppErrorCode = {
  BAD_REQUEST: "BAD_REQUEST",
  VALIDATION_FAILED: "VALIDATION_FAILED",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  /** An operator's cap on what one user may keep (sessions, turns): delete some, or start anew. */
  LIMIT_REACHED: "LIMIT_REACHED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RATE_LIMITED: "RATE_LIMITED",
  OVERLOADED: "OVERLOADED",
  UPSTREAM_UNAVAILABLE: "UPSTREAM_UNAVAILABLE",
  TIMEOUT: "TIMEOUT",
  NOT_IMPLEMENTED: "NOT_IMPLEMENTED",
  INTERNAL: "INTERNAL",
} as const;
export type TAppErrorCode = (typeof AppErrorCode)[keyof typeof AppErrorCode];
export const ZAppErrorCode = z.enum(AppErrorCode);

/** The tRPC error codes Dogi maps onto (a subset of TRPC_ERROR_CODE_KEY, kept here so contracts needs no tRPC). */
export type TTrpcCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "TOO_MANY_REQUESTS"
  | "SERVICE_UNAVAILABLE"
  | "TIMEOUT"
  | "NOT_IMPLEMENTED"
  | "INTERNAL_SERVER_ERROR";

/** OpenAI's error `type` values, as the official SDK expects them. */
export type TOpenAiErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "conflict_error"
  | "rate_limit_error"
  | "server_error"
  | "service_unavailable_error";

export interface ErrorMapping {
  trpc: TTrpcCode;
  http: number;
  openAiType: TOpenAiErrorType;
}

/** How each AppErrorCode surfaces over tRPC, plain HTTP and the OpenAI-compatible API. */
export const errorMappings = {
  BAD_REQUEST: { trpc: "BAD_REQUEST", http: 400, openAiType: "invalid_request_error" },
  VALIDATION_FAILED: { trpc: "BAD_REQUEST", http: 400, openAiType: "invalid_request_error" },
  UNAUTHENTICATED: { trpc: "UNAUTHORIZED", http: 401, openAiType: "authentication_error" },
  FORBIDDEN: { trpc: "FORBIDDEN", http: 403, openAiType: "permission_error" },
  NOT_FOUND: { trpc: "NOT_FOUND", http: 404, openAiType: "not_found_error" },
  CONFLICT: { trpc: "CONFLICT", http: 409, openAiType: "conflict_error" },
  // Not 429: waiting does not help; the caller must first delete something (or start a new chat).
  LIMIT_REACHED: { trpc: "CONFLICT", http: 409, openAiType: "conflict_error" },
  PAYLOAD_TOO_LARGE: { trpc: "PAYLOAD_TOO_LARGE", http: 413, openAiType: "invalid_request_error" },
  RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", http: 429, openAiType: "rate_limit_error" },
  OVERLOADED: { trpc: "SERVICE_UNAVAILABLE", http: 503, openAiType: "service_unavailable_error" },
  UPSTREAM_UNAVAILABLE: {
    trpc: "SERVICE_UNAVAILABLE",
    http: 503,
    openAiType: "service_unavailable_error",
  },
  TIMEOUT: { trpc: "TIMEOUT", http: 504, openAiType: "server_error" },
  NOT_IMPLEMENTED: { trpc: "NOT_IMPLEMENTED", http: 501, openAiType: "invalid_request_error" },
  INTERNAL: { trpc: "INTERNAL_SERVER_ERROR", http: 500, openAiType: "server_error" },
} as const satisfies Record<TAppErrorCode, ErrorMapping>;

const trpcToApp: Record<TTrpcCode, TAppErrorCode> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "RATE_LIMITED",
  SERVICE_UNAVAILABLE: "OVERLOADED",
  TIMEOUT: "TIMEOUT",
  NOT_IMPLEMENTED: "NOT_IMPLEMENTED",
  INTERNAL_SERVER_ERROR: "INTERNAL",
};

/** The AppErrorCode closest to a tRPC code, for errors raised without an explicit app code. */
export function appCodeFromTrpc(code: string): TAppErrorCode {
  return (trpcToApp as Record<string, TAppErrorCode | undefined>)[code] ?? "INTERNAL";
}

/** One flattened validation problem: where it is and what is wrong. */
export const ZFieldIssue = z.object({ path: z.string(), message: z.string() });
export type TFieldIssue = z.infer<typeof ZFieldIssue>;

/** Dogi's own JSON error body (REST and the `data` of tRPC errors). */
export const ZAppErrorBody = z.object({
  error: z.object({
    code: ZAppErrorCode,
    message: z.string(),
    requestId: z.string().optional(),
    issues: z.array(ZFieldIssue).optional(),
  }),
});
export type TAppErrorBody = z.infer<typeof ZAppErrorBody>;

/** OpenAI's error envelope: `{ error: { message, type, param, code } }`. */
export const ZOpenAiErrorBody = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
});
export type TOpenAiErrorBody = z.infer<typeof ZOpenAiErrorBody>;

/** Builds the OpenAI-shaped error body for an app error. */
export function toOpenAiError(options: {
  code: TAppErrorCode;
  message: string;
  param?: string | null;
}): TOpenAiErrorBody {
  return {
    error: {
      message: options.message,
      type: errorMappings[options.code].openAiType,
      param: options.param ?? null,
      code: options.code.toLowerCase(),
    },
  };
}

/** Turns zod issues into `{ path, message }` pairs a client can show next to a field. */
export function flattenZodIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): TFieldIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}
