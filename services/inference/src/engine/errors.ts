import { AppError } from "@dogi/trpc";

// What the engine refuses, named by the engine; the HTTP layer (openai/errors.ts) maps each to
// OpenAI's error shape (`param`, `code`).

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
