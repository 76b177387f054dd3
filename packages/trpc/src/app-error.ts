import { TRPCError } from "@trpc/server";
import { errorMappings } from "@dogi/contracts";
import type { TAppErrorCode, TFieldIssue } from "@dogi/contracts";

/** A TRPCError that carries Dogi's own error code, so every edge reports the same code. */
export class AppError extends TRPCError {
  readonly appCode: TAppErrorCode;
  readonly issues: TFieldIssue[] | undefined;
  /** For RATE_LIMITED and OVERLOADED: when to try again; edges send it as Retry-After. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: TAppErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: TFieldIssue[]; retryAfterSeconds?: number },
  ) {
    super({ code: errorMappings[code].trpc, message, cause: options?.cause });
    this.appCode = code;
    this.issues = options?.issues;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}
