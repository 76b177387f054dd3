import { describe, expect, it } from "vitest";
import { isSecretVariable, printableValue } from "./redact.ts";

describe("printableValue", () => {
  it.each([
    "JWT_SECRET",
    "INTERNAL_SECRET",
    "UPSTREAM_API_KEY",
    "HUGGING_FACE_TOKEN",
    "METRICS_TOKEN",
    "DB_PASSWORD",
  ])("never shows the value of %s", (variable) => {
    expect(isSecretVariable(variable)).toBe(true);
    expect(printableValue(variable, "s3cr3t-value")).toBeUndefined();
  });

  it("shows settings that are not secrets as given", () => {
    expect(isSecretVariable("CHAT_TOKENS_PER_MINUTE")).toBe(false);
    // Lifetimes name a token but hold a quantity.
    expect(isSecretVariable("ACCESS_TOKEN_TTL_MINUTES")).toBe(false);
    expect(isSecretVariable("REFRESH_TOKEN_EXPIRE_DAYS")).toBe(false);
    expect(printableValue("GATEWAY_PORT", "99999")).toBe("99999");
    expect(printableValue("AUTH_URL", "ftp://x/y")).toBe("ftp://x/y");
  });

  it("hides a URL's user and password, even with an unencoded @ in the password", () => {
    expect(printableValue("AUTH_DATABASE_URL", "mysql://u:p@ss@db/x")).toBe("mysql://***@db/x");
    expect(printableValue("REDIS_URL", "redis://:pw@cache:6379")).toBe("redis://***@cache:6379");
    expect(printableValue("X_URL", "user:pw@host")).toBe("***@host");
  });
});
