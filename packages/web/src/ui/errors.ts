import { ApiError } from "../api/client.ts";
import { t } from "../i18n.ts";

/** A failure explained in words the person can act on. */
export function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return t("genericError", { message: String(error) });
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
