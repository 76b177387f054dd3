import { ApiError } from "../api/client.ts";
import { t } from "../i18n.ts";

/**
 * A failure explained in words the person can act on. `doing` says what was tried where one
 * code means different things: LIMIT_REACHED is a full chat when asking a question, and too
 * many chats when starting one.
 */
export function explain(error: unknown, doing: "ask" | "other" = "other"): string {
  if (!(error instanceof ApiError)) return t("genericError", { message: String(error) });
  if (error.code === "LIMIT_REACHED") return t(doing === "ask" ? "chatFull" : "tooManyChats");
  switch (error.kind) {
    case "offline":
      return t("offline");
    case "unavailable":
      return t("serviceDown");
    case "rate_limited":
      return t("rateLimited", { seconds: error.retryAfterSeconds ?? 60 });
    case "expired":
      return t("sessionExpired");
    case "invalid":
    case "other":
      return t("genericError", { message: error.message });
  }
}
