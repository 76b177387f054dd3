import type { Response } from "express";
import { errorMappings, toOpenAiError } from "@dogi/contracts";
import type { TAppErrorCode } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import { InvalidParamError, ModelNotFoundError, NoModelError } from "../engine/errors.ts";

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
