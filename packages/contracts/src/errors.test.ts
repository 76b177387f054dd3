import { describe, expect, it } from "vitest";
import {
  AppErrorCode,
  appCodeFromTrpc,
  errorMappings,
  toOpenAiError,
  ZOpenAiErrorBody,
} from "./errors.ts";

describe("error mappings", () => {
  it("maps every AppErrorCode to an HTTP status that matches its class", () => {
    for (const code of Object.values(AppErrorCode)) {
      const { http } = errorMappings[code];
      const expectServerError = [
        "OVERLOADED",
        "UPSTREAM_UNAVAILABLE",
        "TIMEOUT",
        "NOT_IMPLEMENTED",
        "INTERNAL",
      ].includes(code);
      expect(http >= 500, `${code} → ${http}`).toBe(expectServerError);
    }
  });

  it("reports a reached limit as a conflict, not a rate limit that waiting would lift", () => {
    expect(errorMappings.LIMIT_REACHED).toEqual({
      trpc: "CONFLICT",
      http: 409,
      openAiType: "conflict_error",
    });
    expect(toOpenAiError({ code: "LIMIT_REACHED", message: "full" }).error.code).toBe(
      "limit_reached",
    );
  });

  it("round-trips tRPC codes back to the app codes they came from", () => {
    expect(appCodeFromTrpc("UNAUTHORIZED")).toBe("UNAUTHENTICATED");
    expect(appCodeFromTrpc("TOO_MANY_REQUESTS")).toBe("RATE_LIMITED");
    expect(appCodeFromTrpc("PARSE_ERROR")).toBe("INTERNAL");
  });

  it("builds OpenAI's error envelope that the SDK parses", () => {
    const body = toOpenAiError({
      code: "NOT_FOUND",
      message: "The model 'x' does not exist",
      param: "model",
    });
    expect(ZOpenAiErrorBody.parse(body)).toEqual({
      error: {
        message: "The model 'x' does not exist",
        type: "not_found_error",
        param: "model",
        code: "not_found",
      },
    });
    expect(toOpenAiError({ code: "OVERLOADED", message: "busy" }).error.type).toBe(
      "service_unavailable_error",
    );
  });
});
