import type { Response } from "express";
import { errorMappings, toOpenAiError } from "@dogi/contracts";
import type { TAppErrorCode } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";

/** A 400 that names the offending request field, as OpenAI's `param`. */
export class InvalidParamError extends AppError {
  readonly param: string;
  readonly openAiCode: string | undefined;

  constructor(message: string, param: string, openAiCode?: string) {
    super("BAD_REQUEST", message);
    this.param = param;
    this.openAiCode = openAiCode;
  }
}

/** A 404 for a model the service does not serve, in OpenAI's `model_not_found` shape. */
export class ModelNotFoundError extends AppError {
  constructor(model: string, known: readonly string[]) {
    super(
      "NOT_FOUND",
      known.length > 0
        ? `The model "${model}" does not exist here. Available: ${known.join(", ")}.`
        : `The model "${model}" does not exist here: no model is loaded.`,
    );
  }
}

/** A 503 saying that no model is installed and how to add one (retrieval-only mode). */
export class NoModelError extends AppError {
  constructor(message: string) {
    super("UPSTREAM_UNAVAILABLE", message);
  }
}

/** Sends any error as OpenAI's error body with the status its code maps to. */
export function sendOpenAiError(
  res: Response,
  error: unknown,
  context: { logger: Logger; requestId: string },
): void {
  let code: TAppErrorCode = "INTERNAL";
  let message = `internal error (request id ${context.requestId})`;
  let param: string | null = null;
  let openAiCode: string | null = null;
  if (error instanceof AppError && error.appCode !== "INTERNAL") {
    code = error.appCode;
    message = error.message;
    if (error instanceof InvalidParamError) {
      param = error.param;
      openAiCode = error.openAiCode ?? null;
    }
    if (error instanceof ModelNotFoundError) openAiCode = "model_not_found";
    if (error instanceof NoModelError) openAiCode = "no_model";
    if (error.retryAfterSeconds !== undefined) {
      res.setHeader("Retry-After", String(error.retryAfterSeconds));
    }
  } else {
    context.logger.error({ err: error }, "inference request failed");
  }
  const body = toOpenAiError({ code, message, param });
  if (openAiCode) body.error.code = openAiCode;
  if (res.headersSent) return;
  res.status(errorMappings[code].http).json(body);
}
